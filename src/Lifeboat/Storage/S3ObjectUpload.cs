using Amazon.S3.Model;

namespace Lifeboat.Storage;

/// <summary>
/// An object being written to S3. It buffers one part; an object that fits in one part is sent with a
/// single PutObject at completion, a larger one as a multipart upload with at most two parts in flight,
/// so memory stays at three part buffers however large the object.
/// </summary>
internal sealed class S3ObjectUpload(S3ObjectStore store, string key, int basePartSize) : ObjectUpload
{
    private const int MaxPartsInFlight = 2;

    // Most objects are small; the first buffer grows from here instead of starting at a whole part.
    private const int FirstBufferSize = 64 * 1024;

    // Past this the first buffer jumps to a whole part: doubling all the way would leave a part's worth
    // of discarded buffers on the large-object heap, held until a full collection.
    private const int LargestGrowth = 1024 * 1024;

    private readonly CancellationTokenSource _lifetime = new();
    private readonly Queue<(Task<PartETag> Upload, byte[] Buffer)> _inFlight = new();
    private readonly List<PartETag> _uploadedParts = [];
    private readonly Stack<byte[]> _spareBuffers = new();
    private byte[] _buffer = [];
    private int _filled;
    private int _nextPartNumber = 1;
    private string? _uploadId;
    private bool _completed;
    private bool _disposed;

    public override string Key => key;

    private int CurrentPartSize => MultipartSizing.PartSize(_nextPartNumber, basePartSize);

    // Sending a part is async only, so a synchronous writer blocks on the async core.
    public override void Write(ReadOnlySpan<byte> buffer) => WriteBlocking(buffer);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfNotWritable();
        while (!buffer.IsEmpty)
        {
            // A full buffer is sent only once more data arrives, so an object of exactly one part stays one PutObject.
            if (_filled == CurrentPartSize)
                await SendBufferAsPartAsync(cancellationToken);
            var count = Math.Min(buffer.Length, CurrentPartSize - _filled);
            EnsureCapacity(_filled + count);
            buffer[..count].CopyTo(_buffer.AsMemory(_filled));
            _filled += count;
            buffer = buffer[count..];
        }
    }

    public override async Task CompleteAsync(CancellationToken cancellationToken)
    {
        ThrowIfNotWritable();
        if (_uploadId is null)
        {
            await store.PutAsync(key, _buffer, _filled, cancellationToken);
        }
        else
        {
            if (_filled > 0)
                await SendBufferAsPartAsync(cancellationToken);
            while (_inFlight.Count > 0)
                await CollectOldestPartAsync(cancellationToken);
            await store.CompleteMultipartAsync(key, _uploadId, _uploadedParts, cancellationToken);
        }

        _completed = true;
        ReleaseBuffers();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_completed)
            await AbandonAsync();
        _lifetime.Dispose();
        ReleaseBuffers();
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        // A synchronous 'using' must still abort the multipart upload, which is a network call.
        if (disposing)
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    private async Task AbandonAsync()
    {
        await _lifetime.CancelAsync();
        // Let in-flight parts settle first, or one could land after the abort and linger as an orphan.
        Task parts = Task.WhenAll(_inFlight.Select(part => part.Upload));
        await parts.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_uploadId is not null)
            await store.AbortMultipartAsync(key, _uploadId);
    }

    private async Task SendBufferAsPartAsync(CancellationToken cancellationToken)
    {
        if (_nextPartNumber > MultipartSizing.MaxParts)
            throw new LifeboatException(
                $"object {store.ObjectName(key)} is larger than {MultipartSizing.MaxObjectSize(basePartSize)} bytes, the most {MultipartSizing.MaxParts} parts of this part size can hold",
                "raise the S3 part size of the repository", FailureKind.Usage);
        _uploadId ??= await store.StartMultipartAsync(key, cancellationToken);
        while (_inFlight.Count >= MaxPartsInFlight)
            await CollectOldestPartAsync(cancellationToken);
        var upload = store.UploadPartAsync(key, _uploadId, _nextPartNumber, _buffer, _filled, _lifetime.Token);
        _inFlight.Enqueue((upload, _buffer));
        _nextPartNumber++;
        _buffer = [];
        _filled = 0;
    }

    private async Task CollectOldestPartAsync(CancellationToken cancellationToken)
    {
        // Peek, not dequeue: a part still running when the caller gives up must be awaited by AbandonAsync.
        var (upload, buffer) = _inFlight.Peek();
        var part = await upload.WaitAsync(cancellationToken);
        _inFlight.Dequeue();
        _uploadedParts.Add(part);
        _spareBuffers.Push(buffer);
    }

    private void EnsureCapacity(int needed)
    {
        if (_buffer.Length >= needed)
            return;
        if (_uploadId is not null)
        {
            // Multipart parts are all full-size but the last, so take a whole part's buffer at once.
            _buffer = TakeSpareBuffer() ?? new byte[CurrentPartSize];
            return;
        }

        var size = Math.Max(needed, Math.Max(FirstBufferSize, _buffer.Length * 2));
        var grown = new byte[size > LargestGrowth ? CurrentPartSize : size];
        _buffer.AsSpan(0, _filled).CopyTo(grown);
        _buffer = grown;
    }

    private byte[]? TakeSpareBuffer()
    {
        while (_spareBuffers.TryPop(out var spare))
        {
            // Parts grow for very large objects; a spare from an earlier, smaller band is dropped.
            if (spare.Length >= CurrentPartSize)
                return spare;
        }

        return null;
    }

    private void ReleaseBuffers()
    {
        _buffer = [];
        _spareBuffers.Clear();
    }

    private void ThrowIfNotWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
            throw new InvalidOperationException($"the upload of '{key}' is already complete");
    }
}
