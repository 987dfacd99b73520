using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Lifeboat.Buckets.Index;

/// <summary>
/// Where a segment ends: after a key group, when it holds at least <see cref="MinRecords"/> records and the key's hash
/// says so (1 in <see cref="Spacing"/>), or once it reaches <see cref="MaxRecords"/>. The keys choose the cuts, so a
/// change moves at most the boundaries next to it and every other segment keeps its bytes and its name.
/// </summary>
public static class IndexSegmentBoundary
{
    /// <summary>No content-chosen cut before this many records.</summary>
    public const int MinRecords = 512;

    /// <summary>Average distance between content-chosen cuts after the minimum.</summary>
    public const int Spacing = 4096;

    /// <summary>A cut is forced here, whatever the keys.</summary>
    public const int MaxRecords = 32_768;

    /// <summary>True when a segment holding <paramref name="records"/> ends after the group of <paramref name="key"/>.</summary>
    public static bool EndsAfter(string key, long records)
    {
        if (records >= MaxRecords)
            return true;
        return records >= MinRecords && HashOf(key) % Spacing == 0;
    }

    private static uint HashOf(string key)
    {
        Span<byte> utf8 = key.Length <= 512 ? stackalloc byte[key.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(key.Length)];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }
}
