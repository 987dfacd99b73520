using Amazon.S3.Model;

namespace Lifeboat.Storage;

/// <summary>
/// The body of a GetObject response that survives a dropped connection: it asks again for the bytes
/// not yet read (same ETag, so it never splices two versions) and carries on. A 100 GiB restore must
/// not start over because one TCP connection broke.
/// </summary>
/// <param name="first">The response that opened the read.</param>
/// <param name="start">The object offset of the first byte of <paramref name="first"/>.</param>
/// <param name="reopen">Fetches the object from an offset to <c>end - 1</c>, with the ETag it must still have.</param>
/// <param name="maxResumes">How many times in a row a read may fail without progress before the error stands.</param>
/// <param name="describeFailure">Turns the last failure into the error the caller sees.</param>
internal sealed class S3ReadStream(
    GetObjectResponse first,
    long start,
    Func<long, long, string, CancellationToken, Task<GetObjectResponse>> reopen,
    int maxResumes,
    Func<Exception, Exception> describeFailure) : ReadOnlyStream
{
    private readonly long _end = start + first.ContentLength;
    private readonly string _etag = first.ETag;
    private GetObjectResponse _response = first;
    private long _position = start;
    private int _failuresWithoutProgress;

    // Resuming is async only, so a synchronous reader blocks on the async core.
    public override int Read(Span<byte> buffer) => ReadBlocking(buffer);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_position >= _end || buffer.IsEmpty)
                return 0;
            try
            {
                var read = await _response.ResponseStream.ReadAsync(buffer, cancellationToken);
                // A body that ends before its Content-Length is as broken as one that throws.
                if (read == 0)
                    throw new IOException($"the response ended {_end - _position} bytes early");
                _position += read;
                _failuresWithoutProgress = 0;
                return read;
            }
            catch (Exception e) when (S3TransientErrors.IsTransient(e, cancellationToken))
            {
                if (++_failuresWithoutProgress > maxResumes)
                    throw describeFailure(e);
                await ResumeAsync(cancellationToken);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _response.Dispose();
        base.Dispose(disposing);
    }

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        _response.Dispose();
        _response = await reopen(_position, _end, _etag, cancellationToken);
    }
}
