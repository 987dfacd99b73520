using System.IO.Hashing;

namespace Lifeboat.Redis;

/// <summary>
/// The CRC-64 Redis puts at the end of an RDB and of a DUMP payload (redis crc64.c): the Jones polynomial
/// 0xad93d23594c935a9, reflected input and output, initial value 0, no final xor. Check value: "123456789" gives
/// 0xe9c6d914c4b8d9ca. System.IO.Hashing computes it with carry-less multiplication, several times faster than the
/// table-driven code Lifeboat had (0.13 against 0.40 CPU s for a 592 MB RDB here): the one CRC every RDB byte passes.
/// </summary>
public static class RedisCrc64
{
    /// <summary>Redis's parameters for System.IO.Hashing's <see cref="Crc64"/>.</summary>
    public static Crc64ParameterSet Parameters { get; } = Crc64ParameterSet.Create(0xad93d23594c935a9, 0, 0, reflectValues: true);

    /// <summary>A running CRC over nothing yet, to append to piece by piece.</summary>
    public static Crc64 Create() => new(Parameters);

    /// <summary>The CRC of <paramref name="data"/> alone.</summary>
    public static ulong Compute(ReadOnlySpan<byte> data) => Crc64.HashToUInt64(Parameters, data);
}
