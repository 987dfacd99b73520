namespace Lifeboat.IO;

/// <summary>
/// Reads an inner stream and writes every byte read into a copy, so one consumer can read what another stores. Remembers
/// whether the inner stream or the copy failed, which tells the reader's own failures from theirs. Neither stream is owned.
/// </summary>
internal sealed class TeeReadStream(Stream inner, Stream copy, Action? afterRead = null) : ReadOnlyStream
{
    /// <summary>True once a read of the inner stream or a write to the copy has thrown.</summary>
    public bool Broken { get; private set; }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => ReadBlocking(buffer);

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            if (read > 0)
                await copy.WriteAsync(buffer[..read], cancellationToken);
            afterRead?.Invoke();
            return read;
        }
        catch
        {
            Broken = true;
            throw;
        }
    }
}
