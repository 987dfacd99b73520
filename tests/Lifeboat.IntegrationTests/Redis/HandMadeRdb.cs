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

    /// <summary>IDLE: the next key had not been used for <paramref name="seconds"/> (below 16384), as a server with an LRU policy saves it.</summary>
    public static byte[] Idle(int seconds) => [0xf8, (byte)(0x40 | (seconds >> 8)), (byte)seconds];

    /// <summary>FREQ: the next key's LFU counter, as a server with an LFU policy saves it.</summary>
    public static byte[] Frequency(byte counter) => [0xf9, counter];

    /// <summary>A string key whose value is <paramref name="length"/> bytes (the 32-bit length encoding), for values too large to send.</summary>
    public static byte[] LargeStringKey(string key, int length)
    {
        var value = new byte[5 + length];
        value[0] = 0x80;
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(1), length);
        new Random(11).NextBytes(value.AsSpan(5));
        return [0x00, (byte)key.Length, .. System.Text.Encoding.ASCII.GetBytes(key), .. value];
    }

    /// <summary>
    /// A module's aux data (MODULE_AUX) for module type <paramref name="module"/> (nine characters): its id, when it was
    /// saved, and one string in the annotated form Redis can skip without the module.
    /// </summary>
    public static byte[] ModuleAux(string module) => [0xf7, .. ModuleId(module), 0x02, 0x02, .. ModuleString()];

    /// <summary>A key whose value is of module type <paramref name="module"/>: its id, then one annotated string.</summary>
    public static byte[] ModuleKey(string key, string module) =>
        [0x07, (byte)key.Length, .. System.Text.Encoding.ASCII.GetBytes(key), .. ModuleId(module), .. ModuleString()];

    // The string "abc" (opcode 5), then the end of the module's data (opcode 0).
    private static byte[] ModuleString() => [0x05, 0x03, (byte)'a', (byte)'b', (byte)'c', 0x00];

    // moduleTypeNameByID backwards: nine 6-bit characters, then a 10-bit encoding version (1 here); as a 64-bit length.
    private static byte[] ModuleId(string module)
    {
        const string charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        ulong id = 0;
        foreach (var c in module)
            id = (id << 6) | (uint)charset.IndexOf(c, StringComparison.Ordinal);
        var bytes = new byte[9];
        bytes[0] = 0x81;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(1), (id << 10) | 1);
        return bytes;
    }
}
