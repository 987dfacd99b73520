using System.Security.Cryptography;

namespace Lifeboat.Format;

/// <summary>
/// A write-only stream that hashes, compresses and encrypts plaintext into an envelope on
/// <c>destination</c>, in bounded memory. Call <see cref="FinishAsync"/> to complete the object;
/// disposing without finishing leaves an object every reader rejects as truncated. Always dispose:
/// zstd's worker threads are foreground threads, and an undisposed writer would keep the process alive.
/// Flushing does nothing: data reaches the destination in whole chunks, and all of it by <see cref="FinishAsync"/>.
/// </summary>
public sealed class EnvelopeWriter : WriteOnlyStream
{
    private readonly ChunkSealer sealer;
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly ZstdCompressingStream? compression;
    private long plaintextBytes;
    private string? plaintextSha256;
    private bool finished;
    private bool disposed;

    /// <summary>Prepares an envelope encrypted with <paramref name="key"/>; <paramref name="destination"/> stays open and is not owned.</summary>
    public EnvelopeWriter(Stream destination, DataKey key, EnvelopeOptions options)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var header = EnvelopeHeader.Create(options.Compression, options.ChunkSize, key.Id);
        var cipher = EnvelopeKeySchedule.Derive(key, header, header.Tag);
        sealer = new ChunkSealer(destination, cipher, options.ChunkSize, header.Bytes);
        if (options.Compression == CompressionAlgorithm.Zstd)
        {
            compression = new ZstdCompressingStream(sealer, options.CompressionLevel, options.Workers);
        }
    }

    /// <summary>Plaintext bytes written so far.</summary>
    public long PlaintextBytes => plaintextBytes;

    /// <summary>Bytes written to the destination so far, header included; the object's size once finished.</summary>
    public long StoredBytes => sealer.StoredBytes;

    /// <summary>SHA-256 of the plaintext as lowercase hex; available after <see cref="FinishAsync"/>.</summary>
    public string PlaintextSha256 =>
        plaintextSha256 ?? throw new InvalidOperationException("the plaintext hash is known once FinishAsync has completed");

    /// <inheritdoc />
    public override bool CanWrite => !finished && !disposed;

    private Stream Sink => (Stream?)compression ?? sealer;

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureWritable();
        Account(buffer);
        Sink.Write(buffer);
    }

    /// <inheritdoc />
    public override void WriteByte(byte value) => Write(new ReadOnlySpan<byte>(in value));

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        Account(buffer.Span);
        return Sink.WriteAsync(buffer, cancellationToken);
    }

    /// <summary>Ends the compressed stream and writes the final chunk; the object is complete once this returns.</summary>
    public Task FinishAsync(CancellationToken cancellationToken) => Finish(async: true, cancellationToken).AsTask();

    /// <summary>Synchronous <see cref="FinishAsync"/>, for callers that write synchronously.</summary>
    public void Finish() => Finish(async: false, CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (disposing)
        {
            compression?.Dispose();
            sealer.Dispose();
            hash.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// The one core of <see cref="Finish()"/> and <see cref="FinishAsync"/>: with <paramref name="async"/> false
    /// every step writes synchronously, so the returned task is already complete.
    /// </summary>
    private async ValueTask Finish(bool async, CancellationToken cancellationToken)
    {
        EnsureWritable();
        cancellationToken.ThrowIfCancellationRequested();
        if (compression is not null)
        {
            await compression.Finish(async).ConfigureAwait(false);
        }

        await sealer.Finish(async, cancellationToken).ConfigureAwait(false);
        finished = true;
        plaintextSha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private void Account(ReadOnlySpan<byte> plaintext)
    {
        hash.AppendData(plaintext);
        plaintextBytes += plaintext.Length;
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (finished)
        {
            throw new InvalidOperationException("the envelope is finished; nothing more can be written");
        }
    }
}
