using System.Buffers.Binary;

namespace Lifeboat.Redis;

/// <summary>
/// The CRC-64 Redis puts at the end of an RDB and of a DUMP payload (redis crc64.c): the Jones polynomial
/// 0xad93d23594c935a9, reflected input and output, initial value 0, no final xor. Check value: "123456789" gives
/// 0xe9c6d914c4b8d9ca. System.IO.Hashing's Crc64 uses another polynomial (ECMA-182), so this is our own.
/// </summary>
public static class Crc64
{
    // The Jones polynomial bit-reversed, for the reflected (least significant bit first) algorithm.
    private const ulong ReflectedPolynomial = 0x95ac9329ac4bc9b5;

    // Slicing-by-8: eight tables let one step fold eight bytes, several times faster than a byte at a time.
    private static readonly ulong[][] Tables = BuildTables();

    /// <summary>The CRC of <paramref name="data"/> alone.</summary>
    public static ulong Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>The CRC of what <paramref name="crc"/> covered followed by <paramref name="data"/>.</summary>
    public static ulong Append(ulong crc, ReadOnlySpan<byte> data)
    {
        var (t0, t1, t2, t3, t4, t5, t6, t7) = (Tables[0], Tables[1], Tables[2], Tables[3], Tables[4], Tables[5], Tables[6], Tables[7]);
        while (data.Length >= 8)
        {
            crc ^= BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = t7[crc & 0xff] ^ t6[(crc >> 8) & 0xff] ^ t5[(crc >> 16) & 0xff] ^ t4[(crc >> 24) & 0xff]
                ^ t3[(crc >> 32) & 0xff] ^ t2[(crc >> 40) & 0xff] ^ t1[(crc >> 48) & 0xff] ^ t0[crc >> 56];
            data = data[8..];
        }

        foreach (var b in data)
            crc = t0[(crc ^ b) & 0xff] ^ (crc >> 8);
        return crc;
    }

    private static ulong[][] BuildTables()
    {
        var tables = new ulong[8][];
        tables[0] = new ulong[256];
        for (ulong n = 0; n < 256; n++)
        {
            var crc = n;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            tables[0][n] = crc;
        }

        for (var k = 1; k < 8; k++)
        {
            tables[k] = new ulong[256];
            for (var n = 0; n < 256; n++)
                tables[k][n] = (tables[k - 1][n] >> 8) ^ tables[0][tables[k - 1][n] & 0xff];
        }

        return tables;
    }
}
