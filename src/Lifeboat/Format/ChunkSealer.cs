using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Lifeboat.Format;

/// <summary>
/// Cuts the stored (compressed) stream into fixed-size chunks, seals each with AES-GCM in place
/// and writes it after the header. A chunk is sealed as soon as it is full, so the final chunk,
/// sealed by <see cref="Finish"/>, is always shorter than the chunk size (possibly empty).
/// Flushing does nothing: only whole chunks can be written, and the destination is flushed by its owner.
/// </summary>
internal sealed class ChunkSealer : WriteOnlyStream
{
    private readonly Stream destination;
    private readonly AesGcm cipher;
    private readonly int chunkSize;
    private readonly byte[] chunk;
    private ReadOnlyMemory<byte> header;
    private int filled;
    private long chunkIndex;
    private bool finished;
    private bool disposed;

    /// <summary>Seals chunks with <paramref name="cipher"/>, which it then owns, writing <paramref name="header"/> first.</summary>
    public ChunkSealer(Stream destination, AesGcm cipher, int chunkSize, ReadOnlyMemory<byte> header)
    {
        this.destination = destination;
        this.cipher = cipher;
        this.chunkSize = chunkSize;
        this.header = header;
        chunk = ArrayPool<byte>.Shared.Rent(chunkSize + EnvelopeKeySchedule.ChunkTagSize);
    }

    /// <summary>Bytes written to the destination so far, header included.</summary>
    public long StoredBytes { get; private set; }

    /// <inheritdoc />
    public override bool CanWrite => !finished && !disposed;

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> data)
    {
        EnsureWritable();
        while (!data.IsEmpty)
        {
            data = data[Fill(data)..];
            if (filled == chunkSize)
            {
                WriteOut(Seal(final: false), async: false, CancellationToken.None).GetAwaiter().GetResult();
            }
        }
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        while (!data.IsEmpty)
        {
            data = data[Fill(data.Span)..];
            if (filled == chunkSize)
            {
                await WriteOut(Seal(final: false), async: true, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Seals what is buffered as the final chunk and writes it, synchronously unless <paramref name="async"/>; nothing can be written afterwards.</summary>
    public async ValueTask Finish(bool async, CancellationToken cancellationToken)
    {
        EnsureWritable();
        await WriteOut(Seal(final: true), async, cancellationToken).ConfigureAwait(false);
        finished = true;
    }

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
            cipher.Dispose();
            // An unfinished chunk still holds plaintext; a finished buffer holds only ciphertext.
            ArrayPool<byte>.Shared.Return(chunk, clearArray: !finished);
        }

        base.Dispose(disposing);
    }

    private int Fill(ReadOnlySpan<byte> data)
    {
        var taken = Math.Min(data.Length, chunkSize - filled);
        data[..taken].CopyTo(chunk.AsSpan(filled));
        filled += taken;
        return taken;
    }

    /// <summary>Encrypts the buffered bytes in place, appends the tag, and returns the sealed chunk's length.</summary>
    private int Seal(bool final)
    {
        Span<byte> nonce = stackalloc byte[ChunkNonce.Size];
        ChunkNonce.Write(nonce, chunkIndex, final);
        var plaintext = chunk.AsSpan(0, filled);
        cipher.Encrypt(nonce, plaintext, plaintext, chunk.AsSpan(filled, EnvelopeKeySchedule.ChunkTagSize));
        var sealedLength = filled + EnvelopeKeySchedule.ChunkTagSize;
        filled = 0;
        chunkIndex++;
        return sealedLength;
    }

    /// <summary>Writes a sealed chunk, the header first if none was written yet; synchronously unless <paramref name="async"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteOut(int sealedLength, bool async, CancellationToken cancellationToken)
    {
        if (!header.IsEmpty)
        {
            await Send(header, async, cancellationToken).ConfigureAwait(false);
            StoredBytes += header.Length;
            header = default;
        }

        await Send(chunk.AsMemory(0, sealedLength), async, cancellationToken).ConfigureAwait(false);
        StoredBytes += sealedLength;
    }

    private ValueTask Send(ReadOnlyMemory<byte> bytes, bool async, CancellationToken cancellationToken)
    {
        if (async)
        {
            return destination.WriteAsync(bytes, cancellationToken);
        }

        destination.Write(bytes.Span);
        return ValueTask.CompletedTask;
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
