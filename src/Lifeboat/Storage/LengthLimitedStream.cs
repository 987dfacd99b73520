namespace Lifeboat.Storage;

/// <summary>A read-only view of the next <c>limit</c> bytes of another stream, which it owns.</summary>
internal sealed class LengthLimitedStream(Stream inner, long limit) : ReadOnlyStream
{
    private long _remaining = limit;

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0)
            return 0;
        var read = inner.Read(buffer[..Allowed(buffer.Length)]);
        _remaining -= read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0)
            return 0;
        var read = await inner.ReadAsync(buffer[..Allowed(buffer.Length)], cancellationToken);
        _remaining -= read;
        return read;
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }

    private int Allowed(int wanted) => (int)Math.Min(wanted, _remaining);
}
