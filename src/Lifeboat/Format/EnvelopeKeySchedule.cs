using System.Security.Cryptography;

namespace Lifeboat.Format;

/// <summary>
/// Derives one object's keys from the data key: HKDF-SHA256 with the object id as salt and the
/// header fields in the info, so every object gets its own chunk key and a changed header changes it.
/// </summary>
internal static class EnvelopeKeySchedule
{
    /// <summary>Bytes of the AES-GCM authentication tag on each chunk.</summary>
    public const int ChunkTagSize = 16;

    private const int KeySize = 32;

    private static ReadOnlySpan<byte> Label => "lifeboat envelope v1"u8;

    /// <summary>Returns the object's chunk cipher and writes the header tag the fields must carry into <paramref name="headerTag"/>.</summary>
    public static AesGcm Derive(DataKey key, EnvelopeHeader header, Span<byte> headerTag)
    {
        Span<byte> info = stackalloc byte[Label.Length + header.AuthenticatedFields.Length];
        Label.CopyTo(info);
        header.AuthenticatedFields.CopyTo(info[Label.Length..]);

        Span<byte> keys = stackalloc byte[2 * KeySize];
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Material, keys, header.ObjectId, info);
            HMACSHA256.HashData(keys[KeySize..], header.AuthenticatedFields, mac);
            mac[..headerTag.Length].CopyTo(headerTag);
            return new AesGcm(keys[..KeySize], ChunkTagSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keys);
            CryptographicOperations.ZeroMemory(mac);
        }
    }
}
