using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// A content address: the SHA-256 of an object's bytes, held as four big-endian words so that a catalog of millions
/// sorts and compares it without a string per entry.
/// </summary>
public readonly record struct ContentDigest(ulong Word0, ulong Word1, ulong Word2, ulong Word3) : IComparable<ContentDigest>
{
    /// <summary>The bytes of a digest.</summary>
    public const int Size = 32;

    /// <summary>The address of empty content, which is never stored.</summary>
    public static ContentDigest Empty { get; } = Of([]);

    /// <summary>The digest of <paramref name="content"/>.</summary>
    public static ContentDigest Of(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA256.HashData(content, hash);
        return FromBytes(hash);
    }

    /// <summary>The digest whose 32 raw bytes are <paramref name="hash"/>.</summary>
    public static ContentDigest FromBytes(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != Size)
            throw new ArgumentException($"a SHA-256 has {Size} bytes, not {hash.Length}", nameof(hash));
        return new(
            BinaryPrimitives.ReadUInt64BigEndian(hash),
            BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(hash[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(hash[24..]));
    }

    /// <summary>Parses 64 hex digits; false for anything else.</summary>
    public static bool TryParse(string? hex, out ContentDigest digest)
    {
        digest = default;
        if (hex is not { Length: Size * 2 })
            return false;
        Span<byte> hash = stackalloc byte[Size];
        if (Convert.FromHexString(hex, hash, out _, out var written) != System.Buffers.OperationStatus.Done || written != Size)
            return false;
        digest = FromBytes(hash);
        return true;
    }

    /// <summary>Parses 64 hex digits, failing with the hex and where it was found.</summary>
    public static ContentDigest Parse(string hex, string foundIn) =>
        TryParse(hex, out var digest) ? digest : throw new FormatException($"'{hex}' in {foundIn} is not a SHA-256");

    /// <summary>Writes the 32 raw bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Word0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Word1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], Word2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], Word3);
    }

    /// <summary>Byte order, which is the order of the hex text.</summary>
    public int CompareTo(ContentDigest other)
    {
        var order = Word0.CompareTo(other.Word0);
        if (order == 0)
            order = Word1.CompareTo(other.Word1);
        if (order == 0)
            order = Word2.CompareTo(other.Word2);
        return order != 0 ? order : Word3.CompareTo(other.Word3);
    }

    /// <summary>64 lowercase hex digits.</summary>
    public override string ToString()
    {
        Span<byte> hash = stackalloc byte[Size];
        CopyTo(hash);
        return Convert.ToHexStringLower(hash);
    }
}
