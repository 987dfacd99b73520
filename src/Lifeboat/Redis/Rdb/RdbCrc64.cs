namespace Lifeboat.Redis.Rdb;

/// <summary>
/// TEMPORARY: the CRC64 Redis puts after an RDB and a DUMP payload (Jones polynomial, reflected, initial value 0, no
/// final xor; redis crc64.c), slicing-by-8. A private copy until this branch is merged with the shared Redis Crc64,
/// which replaces it.
/// </summary>
internal static class RdbCrc64
{
    private const ulong ReflectedJonesPolynomial = 0x95ac9329ac4bc9b5;
    private static readonly ulong[] Table = BuildTable();

    /// <summary>Continues <paramref name="crc"/> over <paramref name="data"/>; start with 0.</summary>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        var table = Table.AsSpan();
        while (data.Length >= 8)
        {
            crc ^= System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = table[(7 * 256) + (int)(crc & 0xff)]
                ^ table[(6 * 256) + (int)((crc >> 8) & 0xff)]
                ^ table[(5 * 256) + (int)((crc >> 16) & 0xff)]
                ^ table[(4 * 256) + (int)((crc >> 24) & 0xff)]
                ^ table[(3 * 256) + (int)((crc >> 32) & 0xff)]
                ^ table[(2 * 256) + (int)((crc >> 40) & 0xff)]
                ^ table[256 + (int)((crc >> 48) & 0xff)]
                ^ table[(int)(crc >> 56)];
            data = data[8..];
        }

        foreach (var b in data)
            crc = table[(int)((crc ^ b) & 0xff)] ^ (crc >> 8);
        return crc;
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[8 * 256];
        for (var n = 0; n < 256; n++)
        {
            var crc = (ulong)n;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedJonesPolynomial : crc >> 1;
            table[n] = crc;
        }

        for (var slice = 1; slice < 8; slice++)
        {
            for (var n = 0; n < 256; n++)
            {
                var previous = table[((slice - 1) * 256) + n];
                table[(slice * 256) + n] = (previous >> 8) ^ table[(int)(previous & 0xff)];
            }
        }

        return table;
    }
}
