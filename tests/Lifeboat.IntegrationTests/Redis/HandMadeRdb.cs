using System.Buffers.Binary;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>RDBs written byte by byte for the case at hand: a header, the body given, the end marker and its CRC64.</summary>
internal static class HandMadeRdb
{
    /// <summary>An RDB 10 with <paramref name="body"/>, the end marker and its checksum (redis's CRC64 computed the long way).</summary>
    public static byte[] Of(params byte[][] body)
    {
        byte[] bytes = [.. "REDIS0010"u8, .. body.SelectMany(b => b), 0xff];
        ulong crc = 0;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x95ac9329ac4bc9b5 : crc >> 1;
        }

        var trailer = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, crc);
        return [.. bytes, .. trailer];
    }

    /// <summary>SELECTDB <paramref name="db"/> (below 64).</summary>
    public static byte[] Database(int db) => [0xfe, (byte)db];

    /// <summary>A string key and value, both shorter than 64 bytes, with an absolute expiry in Unix milliseconds or none.</summary>
    public static byte[] StringKey(string key, string value, long? expireAtMs = null)
    {
        var expiry = new byte[expireAtMs is null ? 0 : 9];
        if (expireAtMs is { } at)
        {
            expiry[0] = 0xfc;
            BinaryPrimitives.WriteInt64LittleEndian(expiry.AsSpan(1), at);
        }

        return [.. expiry, 0x00, (byte)key.Length, .. System.Text.Encoding.ASCII.GetBytes(key), (byte)value.Length, .. System.Text.Encoding.ASCII.GetBytes(value)];
    }

    /// <summary>A string key whose value is <paramref name="length"/> bytes (the 32-bit length encoding), for values too large to send.</summary>
    public static byte[] LargeStringKey(string key, int length)
    {
        var value = new byte[5 + length];
        value[0] = 0x80;
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(1), length);
        new Random(11).NextBytes(value.AsSpan(5));
        return [0x00, (byte)key.Length, .. System.Text.Encoding.ASCII.GetBytes(key), .. value];
    }
}
