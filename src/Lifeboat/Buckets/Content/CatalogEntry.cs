using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Buffers.Binary;
using System.Text;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// One content of the loaded catalog in 64 bytes: sha 32, size 8, pack index 4, offset 4, stored 8, ETag hint 8.
/// A million of them take 64 MB in one array, with no object per entry for the collector to walk.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly record struct CatalogEntry(ContentDigest Sha256, long Size, int Pack, uint Offset, long Stored, ulong EtagHint)
{
    /// <summary>
    /// 8 bytes that stand for a source ETag (quotes trimmed), 0 for none. A hint needs no more: a match is only ever
    /// confirmed by hashing the bytes read, so a collision costs one read, never a wrong content.
    /// </summary>
    public static ulong HintOf(string? etag)
    {
        var trimmed = etag?.Trim('"');
        if (string.IsNullOrEmpty(trimmed))
            return 0;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(trimmed), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash) | 1; // never 0, which means "no hint"
    }
}
