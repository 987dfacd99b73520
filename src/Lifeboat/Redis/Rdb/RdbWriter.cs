using System.Buffers;
using System.Buffers.Binary;

namespace Lifeboat.Redis.Rdb;

/// <summary>Writes RDB lengths and plain strings (rdbSaveLen, rdbSaveRawString without compression).</summary>
internal static class RdbWriter
{
    public static void WriteLength(IBufferWriter<byte> output, ulong length)
    {
        if (length < 1 << 6)
        {
            output.Write([(byte)length]);
        }
        else if (length < 1 << 14)
        {
            output.Write([(byte)(0x40 | (length >> 8)), (byte)length]);
        }
        else if (length <= uint.MaxValue)
        {
            Span<byte> bytes = [0x80, 0, 0, 0, 0];
            BinaryPrimitives.WriteUInt32BigEndian(bytes[1..], (uint)length);
            output.Write(bytes);
        }
        else
        {
            Span<byte> bytes = [0x81, 0, 0, 0, 0, 0, 0, 0, 0];
            BinaryPrimitives.WriteUInt64BigEndian(bytes[1..], length);
            output.Write(bytes);
        }
    }

    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        WriteLength(output, (ulong)text.Length);
        output.Write(text);
    }
}
