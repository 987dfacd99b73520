using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace Lifeboat.Redis.Rdb;

/// <summary>
/// The payload DUMP makes and RESTORE takes (cluster.c createDumpPayload): a serialized value, then the RDB version
/// (2 bytes) and the CRC64 of everything before it (8 bytes), both little-endian.
/// </summary>
public static class RdbDumpPayload
{
    /// <summary>The footer's length.</summary>
    public const int FooterBytes = 10;

    /// <summary>The longest serialized value a payload can carry: the payload is one array, footer included.</summary>
    public static int LargestValue => Array.MaxLength - FooterBytes;

    /// <summary>The payload of <paramref name="value"/> (type byte first) as RDB <paramref name="rdbVersion"/>.</summary>
    public static byte[] Create(ReadOnlySpan<byte> value, int rdbVersion)
    {
        var payload = GC.AllocateUninitializedArray<byte>(value.Length + FooterBytes);
        value.CopyTo(payload);
        var crc = RedisCrc64.Create();
        crc.Append(value);
        Seal(payload, value.Length, crc, rdbVersion);
        return payload;
    }

    /// <summary>
    /// Makes the first <paramref name="valueLength"/> bytes of <paramref name="buffer"/> (a serialized value, whose CRC64
    /// <paramref name="valueCrc"/> holds) a payload in place, writing the footer into the <see cref="FooterBytes"/> after
    /// them. The footer's version bytes are appended to <paramref name="valueCrc"/>, which then covers the payload's body.
    /// </summary>
    public static ReadOnlyMemory<byte> Seal(byte[] buffer, int valueLength, Crc64 valueCrc, int rdbVersion)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(valueLength), (ushort)rdbVersion);
        valueCrc.Append(buffer.AsSpan(valueLength, 2));
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(valueLength + 2), valueCrc.GetCurrentHashAsUInt64());
        return buffer.AsMemory(0, valueLength + FooterBytes);
    }

    /// <summary>The FUNCTION RESTORE payload of one library (functionDumpCommand: the FUNCTION2 opcode and the code as a string).</summary>
    public static byte[] ForFunctionLibrary(ReadOnlySpan<byte> code, int rdbVersion)
    {
        var body = new ArrayBufferWriter<byte>(code.Length + 16);
        body.Write([RdbOpcode.Function2]);
        RdbWriter.WriteString(body, code);
        return Create(body.WrittenSpan, rdbVersion);
    }

    /// <summary>The serialized value and RDB version of <paramref name="payload"/>; null when it is too short or its checksum fails.</summary>
    public static (ReadOnlyMemory<byte> Value, int RdbVersion)? Open(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length < FooterBytes)
            return null;
        var span = payload.Span;
        var bodyEnd = payload.Length - 8;
        if (RedisCrc64.Compute(span[..bodyEnd]) != BinaryPrimitives.ReadUInt64LittleEndian(span[bodyEnd..]))
            return null;
        return (payload[..(payload.Length - FooterBytes)], BinaryPrimitives.ReadUInt16LittleEndian(span[(payload.Length - FooterBytes)..]));
    }
}
