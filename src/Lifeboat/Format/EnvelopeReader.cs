using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using ZstdSharp;

namespace Lifeboat.Format;

/// <summary>
/// A read-only, forward-only stream of an envelope's plaintext. It authenticates every chunk before
/// returning any of its bytes and throws <see cref="EnvelopeCorruptException"/> on damage,
/// truncation or trailing data, naming the object and the chunk.
/// </summary>
public sealed class EnvelopeReader : ReadOnlyStream
{
    private readonly Stream source;
    private readonly Func<string, DataKey?> keyById;
    private readonly string objectName;
    private readonly bool readAhead;
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ChunkOpener? opener;
    private Stream? decoded;
    private Stream? plaintext;
    private LifeboatException? failure;
    private long plaintextBytes;
    private string? plaintextSha256;
    private bool disposed;

    /// <summary>Pieces and depth of read-ahead: 4 MiB decrypted and decompressed ahead of the caller.</summary>
    internal const int ReadAheadBuffer = 1 << 20;

    internal const int ReadAheadDepth = 4;

    /// <summary>
    /// Prepares to read an envelope from <paramref name="source"/> (not owned); the header is read on the first
    /// read, and <paramref name="keyById"/> supplies the data key it names, or null when the repository has none.
    /// With <paramref name="readAhead"/>, chunks are authenticated, decrypted and decompressed on a task of their
    /// own while the caller hashes and uses what it read: for large objects, where that halves the time.
    /// </summary>
    public EnvelopeReader(Stream source, Func<string, DataKey?> keyById, string objectName, bool readAhead = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keyById);
        ArgumentNullException.ThrowIfNull(objectName);
        this.source = source;
        this.keyById = keyById;
        this.objectName = objectName;
        this.readAhead = readAhead;
    }

    /// <summary>Plaintext bytes returned so far; the object's plaintext size once a read has returned 0.</summary>
    public long PlaintextBytes => plaintextBytes;

    /// <summary>Stored bytes consumed so far, header included.</summary>
    public long StoredBytes => opener?.StoredBytes ?? 0;

    /// <summary>SHA-256 of the plaintext as lowercase hex; available once a read has returned 0.</summary>
    public string PlaintextSha256 =>
        plaintextSha256 ?? throw new InvalidOperationException("the plaintext hash is known once Read has returned 0");

    /// <inheritdoc />
    public override bool CanRead => !disposed;

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        EnsureReadable();
        if (buffer.IsEmpty || plaintextSha256 is not null)
        {
            return 0;
        }

        if (plaintext is null)
        {
            OpenHeader(async: false, CancellationToken.None).GetAwaiter().GetResult();
        }

        try
        {
            return Account(buffer[..plaintext!.Read(buffer)]);
        }
        catch (Exception e) when (IsDecompressionFailure(e))
        {
            throw Fail(e);
        }
    }

    /// <inheritdoc />
    public override int ReadByte()
    {
        byte value = 0;
        return Read(new Span<byte>(ref value)) == 0 ? -1 : value;
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureReadable();
        if (buffer.IsEmpty || plaintextSha256 is not null)
        {
            return 0;
        }

        if (plaintext is null)
        {
            await OpenHeader(async: true, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var count = await plaintext!.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Account(buffer.Span[..count]);
        }
        catch (Exception e) when (IsDecompressionFailure(e))
        {
            throw Fail(e);
        }
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
            // Outermost first: the read-ahead task must stop before the streams it reads are disposed.
            if (!ReferenceEquals(plaintext, decoded))
            {
                plaintext?.Dispose();
            }

            if (!ReferenceEquals(decoded, opener))
            {
                decoded?.Dispose();
            }

            opener?.Dispose();
            hash.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads the header from the source and opens the envelope with it; synchronously unless <paramref name="async"/>.</summary>
    private async ValueTask OpenHeader(bool async, CancellationToken cancellationToken)
    {
        var header = new byte[EnvelopeHeader.Size];
        var read = async
            ? await source.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)
            : source.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        Open(header.AsSpan(0, read));
    }

    /// <summary>Checks the header in <paramref name="stored"/>, finds its key, and sets up chunk opening and decompression.</summary>
    private void Open(ReadOnlySpan<byte> stored)
    {
        try
        {
            var header = EnvelopeHeader.Parse(stored, objectName);
            EnsureSupportedVersion(header);
            var key = keyById(header.KeyId) ?? throw UnknownKey(header.KeyId);
            var cipher = AuthenticatedCipher(header, key);
            opener = new ChunkOpener(source, cipher, (int)header.ChunkSize, objectName, EnvelopeHeader.Size);
            decoded = (CompressionAlgorithm)header.CompressionByte == CompressionAlgorithm.None
                ? opener
                : readAhead ? NativeDecompression(opener) : new DecompressionStream(opener, bufferSize: 0, checkEndOfStream: true, leaveOpen: true);
            plaintext = readAhead ? new ReadAheadStream(decoded, ReadAheadBuffer, ReadAheadDepth) : decoded;
        }
        catch (LifeboatException e)
        {
            failure = e;
            throw;
        }
    }

    /// <summary>Derives the object's chunk cipher and proves the header with it; then checks the now-authentic fields.</summary>
    private AesGcm AuthenticatedCipher(EnvelopeHeader header, DataKey key)
    {
        Span<byte> expectedTag = stackalloc byte[EnvelopeHeader.TagSize];
        var cipher = EnvelopeKeySchedule.Derive(key, header, expectedTag);
        var problem = HeaderProblem(header, expectedTag);
        if (problem is null)
        {
            return cipher;
        }

        cipher.Dispose();
        throw new EnvelopeCorruptException(objectName, problem);
    }

    private static string? HeaderProblem(EnvelopeHeader header, ReadOnlySpan<byte> expectedTag)
    {
        if (!CryptographicOperations.FixedTimeEquals(expectedTag, header.Tag))
        {
            return "its header failed authentication (damaged, tampered with, or written with another key)";
        }

        if (header.CompressionByte > (byte)CompressionAlgorithm.Zstd)
        {
            return $"its header names unknown compression algorithm {header.CompressionByte}";
        }

        if (header.ChunkSize is < EnvelopeOptions.MinChunkSize or > EnvelopeOptions.MaxChunkSize)
        {
            return $"its header names chunk size {header.ChunkSize}, outside {EnvelopeOptions.MinChunkSize}..{EnvelopeOptions.MaxChunkSize}";
        }

        return null;
    }

    private void EnsureSupportedVersion(EnvelopeHeader header)
    {
        if (header.Version != EnvelopeHeader.CurrentVersion)
        {
            throw new LifeboatException(
                $"object '{objectName}' has envelope format version {header.Version}, but this Lifeboat reads only version {EnvelopeHeader.CurrentVersion}",
                "upgrade Lifeboat; if this Lifeboat wrote the object, its header is damaged")
            {
                Remedy = new(RemedyAction.CheckRepositoryData),
            };
        }
    }

    // Damage as far as this repository is concerned, so listing and check report it and go on.
    private EnvelopeCorruptException UnknownKey(string keyId) =>
        new(objectName, $"it is encrypted with data key '{keyId}', which this repository's key slots do not hold (it was copied from another repository, or its header is damaged)");

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            plaintextSha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            return 0;
        }

        hash.AppendData(data);
        plaintextBytes += data.Length;
        return data.Length;
    }

    // Large objects, the ones read ahead, are decompressed by the native libzstd, a third faster than ZstdSharp.
    // Unlike ZstdSharp it does not insist that the frame ended; an object cut short inside its frame is still
    // caught, by the chunk authentication (a missing last chunk) and by the plaintext hash the manifest records.
    private static ZstdNet.DecompressionStream NativeDecompression(Stream compressed)
    {
        NativeZstd.EnsureResolvable();
        return new ZstdNet.DecompressionStream(compressed);
    }

    /// <summary>True for a zstd error, or the zstd stream ending early after every chunk authenticated.</summary>
    private bool IsDecompressionFailure(Exception e) =>
        e is ZstdException or ZstdNet.ZstdException || (e is EndOfStreamException && opener is { ReachedEnd: true });

    private EnvelopeCorruptException Fail(Exception decompressionError)
    {
        var corrupt = new EnvelopeCorruptException(
            objectName,
            $"every chunk authenticated but the compressed data inside is invalid ({decompressionError.Message}); the writer was faulty",
            inner: decompressionError);
        failure = corrupt;
        return corrupt;
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
