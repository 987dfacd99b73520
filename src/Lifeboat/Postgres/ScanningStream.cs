namespace Lifeboat.Postgres;

/// <summary>Passes writes through to a stream and shows each written piece to a custom-archive scanner.</summary>
internal sealed class ScanningStream(Stream inner, CustomArchiveScanner scanner) : WriteOnlyStream
{
    public override long Position { get => scanner.Length; set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    // The scanner sees only bytes the file accepted, so its positions are the file's.
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        scanner.Observe(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        scanner.Observe(buffer.Span);
    }
}
