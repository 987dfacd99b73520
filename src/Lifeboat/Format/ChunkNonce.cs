using System.Buffers.Binary;

namespace Lifeboat.Format;

/// <summary>
/// Builds a chunk's AES-GCM nonce: 8-byte big-endian chunk index, 3 zero bytes, 1 final-chunk flag byte.
/// Binding index and flag into the nonce makes a moved, dropped or relabelled chunk fail authentication.
/// </summary>
internal static class ChunkNonce
{
    /// <summary>Bytes in an AES-GCM nonce.</summary>
    public const int Size = 12;

    private const byte FinalFlag = 1;

    /// <summary>Writes the nonce for chunk <paramref name="index"/> into <paramref name="nonce"/>.</summary>
    public static void Write(Span<byte> nonce, long index, bool final)
    {
        BinaryPrimitives.WriteInt64BigEndian(nonce, index);
        nonce[8..11].Clear();
        nonce[11] = final ? FinalFlag : (byte)0;
    }
}
