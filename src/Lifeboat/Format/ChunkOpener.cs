using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Lifeboat.Format;

/// <summary>
/// Reads sealed chunks after the header, authenticates each before handing out a byte of it, and
/// tells the final chunk by its length: a full-size chunk is never final, a shorter one always is.
/// Any failure is sticky, so a caller that ignores an error cannot read past a bad chunk.
/// </summary>
internal sealed class ChunkOpener : ReadOnlyStream
{
    private readonly Stream source;
    private readonly AesGcm cipher;
    private readonly string objectName;
    private readonly byte[] chunk;
    private readonly int sealedChunkSize;
    private int position;
    private int available;
    private long nextIndex;
    private bool finalOpened;
    private EnvelopeCorruptException? failure;
    private Task<int>? lastReadTask;
    private bool disposed;

    /// <summary>Opens chunks with <paramref name="cipher"/>, which it then owns; <paramref name="headerSize"/> counts toward <see cref="StoredBytes"/>.</summary>
    public ChunkOpener(Stream source, AesGcm cipher, int chunkSize, string objectName, int headerSize)
    {
        this.source = source;
        this.cipher = cipher;
        this.objectName = objectName;
        sealedChunkSize = chunkSize + EnvelopeKeySchedule.ChunkTagSize;
        chunk = ArrayPool<byte>.Shared.Rent(sealedChunkSize);
        StoredBytes = headerSize;
    }

    /// <summary>Bytes read from the source so far, header included.</summary>
    public long StoredBytes { get; private set; }

    /// <summary>True once the final chunk has been authenticated and fully handed out.</summary>
    public bool ReachedEnd => finalOpened && position == available;

    /// <summary>True when every opened byte is handed out and more chunks follow.</summary>
    private bool NeedsChunk => position == available && !finalOpened;

    /// <inheritdoc />
    public override bool CanRead => !disposed;

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        EnsureReadable();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (NeedsChunk)
        {
            OpenNextChunk(async: false, CancellationToken.None).GetAwaiter().GetResult();
        }

        return Take(buffer);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = ReadAsync(buffer.AsMemory(offset, count), cancellationToken);
        if (!read.IsCompletedSuccessfully)
        {
            return read.AsTask();
        }

        // Callers such as the zstd stream read through this overload; reuse the task when the count repeats.
        var bytesRead = read.Result;
        if (lastReadTask is null || lastReadTask.Result != bytesRead)
        {
            lastReadTask = Task.FromResult(bytesRead);
        }

        return lastReadTask;
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureReadable();
        if (buffer.IsEmpty || !NeedsChunk)
        {
            return new ValueTask<int>(Take(buffer.Span));
        }

        return ReadNextChunkAsync(buffer, cancellationToken);
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
            ArrayPool<byte>.Shared.Return(chunk, clearArray: true);
        }

        base.Dispose(disposing);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadNextChunkAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await OpenNextChunk(async: true, cancellationToken).ConfigureAwait(false);
        return Take(buffer.Span);
    }

    /// <summary>Reads and opens chunks until one has bytes to hand out or the final one is spent; synchronously unless <paramref name="async"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask OpenNextChunk(bool async, CancellationToken cancellationToken)
    {
        while (NeedsChunk)
        {
            var sealedChunk = chunk.AsMemory(0, sealedChunkSize);
            Open(async
                ? await source.ReadAtLeastAsync(sealedChunk, sealedChunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)
                : source.ReadAtLeast(sealedChunk.Span, sealedChunkSize, throwOnEndOfStream: false));
        }
    }

    private int Take(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, available - position);
        chunk.AsSpan(position, count).CopyTo(buffer);
        position += count;
        return count;
    }

    /// <summary>Authenticates and decrypts in place the <paramref name="read"/> bytes just read as the next chunk.</summary>
    private void Open(int read)
    {
        var index = nextIndex;
        if (read == 0)
        {
            throw Fail(index == 0
                ? "it ends right after its header, without any chunk (truncated)"
                : $"it ends after chunk {index - 1} without its final chunk (truncated)", index);
        }

        if (read < EnvelopeKeySchedule.ChunkTagSize)
        {
            throw Fail($"chunk {index} is {read} bytes, shorter than its authentication tag (truncated)", index);
        }

        StoredBytes += read;
        var final = read < sealedChunkSize;
        var length = read - EnvelopeKeySchedule.ChunkTagSize;
        Span<byte> nonce = stackalloc byte[ChunkNonce.Size];
        ChunkNonce.Write(nonce, index, final);
        var data = chunk.AsSpan(0, length);
        try
        {
            cipher.Decrypt(nonce, data, chunk.AsSpan(length, EnvelopeKeySchedule.ChunkTagSize), data);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw Fail($"chunk {index} failed authentication (damaged, truncated, extended, tampered with, or written with another key)", index, e);
        }

        position = 0;
        available = length;
        nextIndex = index + 1;
        finalOpened = final;
    }

    private EnvelopeCorruptException Fail(string problem, long index, Exception? inner = null)
    {
        failure = new EnvelopeCorruptException(objectName, problem, index, inner);
        return failure;
    }

    private void EnsureReadable()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (failure is not null)
        {
            throw failure;
        }
    }
}
