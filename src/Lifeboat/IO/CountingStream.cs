namespace Lifeboat.IO;

/// <summary>Passes writes through and reports the running byte count, for progress display.</summary>
internal sealed class CountingStream(Stream inner, IProgress<long> progress) : WriteOnlyStream
{
    private long _count;

    public long Count => _count;
    public override long Position => _count;
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        Advance(buffer.Length);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        Advance(buffer.Length);
    }

    private void Advance(int n)
    {
        _count += n;
        progress.Report(_count);
    }
}
