using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Lifeboat.Format;

/// <summary>
/// The fixed 54-byte header in front of every envelope: magic, version, compression, chunk size,
/// key id, random object id, and a tag that authenticates the other fields.
/// </summary>
internal sealed class EnvelopeHeader
{
    /// <summary>Total header bytes.</summary>
    public const int Size = TagOffset + TagSize;

    /// <summary>The only format version this code writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Bytes of the random per-object id.</summary>
    public const int ObjectIdSize = 16;

    /// <summary>Bytes of the header tag (a truncated HMAC-SHA256).</summary>
    public const int TagSize = 16;

    private const int VersionOffset = 8;
    private const int CompressionOffset = 9;
    private const int ChunkSizeOffset = 10;
    private const int KeyIdOffset = 14;
    private const int ObjectIdOffset = KeyIdOffset + DataKey.IdSize;
    private const int TagOffset = ObjectIdOffset + ObjectIdSize;

    private readonly byte[] bytes;

    private EnvelopeHeader(byte[] bytes) => this.bytes = bytes;

    /// <summary>ASCII "LIFEBOAT": readable in a hex dump, so an operator can tell what a stray object is.</summary>
    public static ReadOnlySpan<byte> Magic => "LIFEBOAT"u8;

    /// <summary>The whole header as stored.</summary>
    public ReadOnlyMemory<byte> Bytes => bytes;

    /// <summary>Every field the tag covers: all bytes before the tag.</summary>
    public ReadOnlySpan<byte> AuthenticatedFields => bytes.AsSpan(0, TagOffset);

    /// <summary>The stored header tag.</summary>
    public Span<byte> Tag => bytes.AsSpan(TagOffset, TagSize);

    /// <summary>The random per-object id, which salts the per-object key derivation.</summary>
    public ReadOnlySpan<byte> ObjectId => bytes.AsSpan(ObjectIdOffset, ObjectIdSize);

    /// <summary>The format version byte.</summary>
    public byte Version => bytes[VersionOffset];

    /// <summary>The compression byte, not yet checked against known algorithms.</summary>
    public byte CompressionByte => bytes[CompressionOffset];

    /// <summary>The recorded chunk size, not yet range-checked.</summary>
    public uint ChunkSize => BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(ChunkSizeOffset));

    /// <summary>The id of the data key the object is encrypted with, as 16 lowercase hex digits.</summary>
    public string KeyId => Convert.ToHexStringLower(bytes.AsSpan(KeyIdOffset, DataKey.IdSize));

    /// <summary>Lays out a header for a new object with a fresh random object id; the tag is left for the key schedule.</summary>
    public static EnvelopeHeader Create(CompressionAlgorithm compression, int chunkSize, string keyId)
    {
        var bytes = new byte[Size];
        Magic.CopyTo(bytes);
        bytes[VersionOffset] = CurrentVersion;
        bytes[CompressionOffset] = (byte)compression;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(ChunkSizeOffset), (uint)chunkSize);
        Convert.FromHexString(keyId, bytes.AsSpan(KeyIdOffset, DataKey.IdSize), out _, out _);
        RandomNumberGenerator.Fill(bytes.AsSpan(ObjectIdOffset, ObjectIdSize));
        return new EnvelopeHeader(bytes);
    }

    /// <summary>Takes <paramref name="stored"/> as a header once its length and magic are right; nothing is authenticated yet.</summary>
    public static EnvelopeHeader Parse(ReadOnlySpan<byte> stored, string objectName)
    {
        if (stored.Length < Size)
        {
            throw new EnvelopeCorruptException(objectName, $"it ends after {stored.Length} bytes, inside the {Size}-byte envelope header (truncated)");
        }

        if (!stored[..Magic.Length].SequenceEqual(Magic))
        {
            throw new EnvelopeCorruptException(objectName, "it does not start with the envelope magic 'LIFEBOAT' (not a Lifeboat object, or a damaged header)");
        }

        return new EnvelopeHeader(stored[..Size].ToArray());
    }
}
