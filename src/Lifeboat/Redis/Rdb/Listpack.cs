using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Lifeboat.Redis.Rdb;

/// <summary>Reads the elements of a listpack (listpack.c): a 6-byte header, entries of encoding, data and back-length, then 0xFF.</summary>
internal static class Listpack
{
    private const int HeaderBytes = 6;
    private const byte End = 0xff;

    /// <summary>Each element as bytes (integers as their decimal text); null when <paramref name="listpack"/> is malformed.</summary>
    public static List<byte[]>? Elements(ReadOnlySpan<byte> listpack)
    {
        if (listpack.Length < HeaderBytes + 1 || BinaryPrimitives.ReadUInt32LittleEndian(listpack) != listpack.Length)
            return null;
        var elements = new List<byte[]>();
        var at = HeaderBytes;
        while (at < listpack.Length && listpack[at] != End)
        {
            var start = at;
            var element = ReadEntry(listpack, ref at);
            if (element is null || at > listpack.Length)
                return null;
            at += BackLengthBytes(at - start);
            elements.Add(element);
        }

        return at == listpack.Length - 1 ? elements : null;
    }

    private static byte[]? ReadEntry(ReadOnlySpan<byte> lp, ref int at)
    {
        var b = lp[at];
        if ((b & 0x80) == 0)
            return Integer(ref at, 1, b & 0x7f);
        if ((b & 0xc0) == 0x80)
            return Text(lp, ref at, 1, b & 0x3f);
        if ((b & 0xe0) == 0xc0)
            return at + 2 > lp.Length ? null : Integer(ref at, 2, SignExtend(((b & 0x1f) << 8) | lp[at + 1], 13));
        if ((b & 0xf0) == 0xe0)
            return at + 2 > lp.Length ? null : Text(lp, ref at, 2, ((b & 0x0f) << 8) | lp[at + 1]);
        return b switch
        {
            0xf0 => at + 5 > lp.Length ? null : Text(lp, ref at, 5, (long)BinaryPrimitives.ReadUInt32LittleEndian(lp[(at + 1)..])),
            0xf1 => LittleEndianInteger(lp, ref at, 2),
            0xf2 => LittleEndianInteger(lp, ref at, 3),
            0xf3 => LittleEndianInteger(lp, ref at, 4),
            0xf4 => LittleEndianInteger(lp, ref at, 8),
            _ => null,
        };
    }

    private static byte[] Integer(ref int at, int size, long value)
    {
        at += size;
        return Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
    }

    private static byte[]? LittleEndianInteger(ReadOnlySpan<byte> lp, ref int at, int bytes)
    {
        if (at + 1 + bytes > lp.Length)
            return null;
        ulong raw = 0;
        for (var i = bytes - 1; i >= 0; i--)
            raw = (raw << 8) | lp[at + 1 + i];
        return Integer(ref at, 1 + bytes, SignExtend((long)raw, bytes * 8));
    }

    private static byte[]? Text(ReadOnlySpan<byte> lp, ref int at, int headerBytes, long length)
    {
        if (at + headerBytes + length > lp.Length)
            return null;
        var text = lp.Slice(at + headerBytes, (int)length).ToArray();
        at += headerBytes + (int)length;
        return text;
    }

    private static long SignExtend(long value, int bits) =>
        bits >= 64 ? value : (value & (1L << (bits - 1))) != 0 ? value - (1L << bits) : value;

    /// <summary>lpEncodeBacklen: how many bytes the back-length of an entry of <paramref name="entryBytes"/> takes.</summary>
    private static int BackLengthBytes(int entryBytes) => entryBytes switch
    {
        <= 127 => 1,
        < 16383 => 2,
        < 2097151 => 3,
        < 268435455 => 4,
        _ => 5,
    };
}
