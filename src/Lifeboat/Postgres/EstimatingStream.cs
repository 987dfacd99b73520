namespace Lifeboat.Postgres;

/// <summary>Passes pg_dump's archive through to a stream, showing each piece to a <see cref="DumpSizeEstimate"/> and its progress the count and the new estimate.</summary>
internal sealed class EstimatingStream(Stream inner, DumpSizeEstimate estimate, ITransferProgress progress) : WriteOnlyStream
{
    public override long Position { get => estimate.Seen; set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        Advance(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        Advance(buffer.Span);
    }

    private void Advance(ReadOnlySpan<byte> buffer)
    {
        estimate.Observe(buffer);
        progress.Reestimate(estimate.Total);
        progress.Report(estimate.Seen);
    }
}
