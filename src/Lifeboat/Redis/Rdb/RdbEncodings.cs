using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Lifeboat.Redis.Rdb;

/// <summary>The RDB's lengths and strings (rdbLoadLen, rdbGenericLoadStringObject) read from an <see cref="RdbInput"/>.</summary>
internal static class RdbEncodings
{
    private const int EncodedInt8 = 0;
    private const int EncodedInt16 = 1;
    private const int EncodedInt32 = 2;
    private const int EncodedLzf = 3;

    // LZF's longest back reference, 264 bytes, takes 3: no valid input expands further.
    private const ulong MaxLzfExpansion = 90;

    /// <summary>A length, or for a specially encoded string its encoding (<paramref name="Encoded"/>).</summary>
    public readonly record struct Length(ulong Value, bool Encoded);

    /// <summary>A length, read from the buffer without an async step when it holds the whole encoding.</summary>
    public static ValueTask<Length> ReadLengthAsync(this RdbInput input, CancellationToken cancellationToken)
    {
        if (!TryReadLength(input.Buffered, out var length, out var used))
            return ReadLengthSlowAsync(input, cancellationToken);
        input.Advance(used);
        return new ValueTask<Length>(length);
    }

    /// <summary>A length that must be a plain count.</summary>
    public static ValueTask<ulong> ReadCountAsync(this RdbInput input, CancellationToken cancellationToken)
    {
        if (!TryReadLength(input.Buffered, out var length, out var used) || length.Encoded)
            return ReadCountSlowAsync(input, cancellationToken);
        input.Advance(used);
        return new ValueTask<ulong>(length.Value);
    }

    /// <summary>Consumes a string in whatever encoding it has; without an async step when the buffer holds all of it.</summary>
    public static ValueTask SkipStringAsync(this RdbInput input, CancellationToken cancellationToken)
    {
        if (!TryMeasureString(input.Buffered, out var size))
            return SkipStringSlowAsync(input, cancellationToken);
        input.Advance(size);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Consumes a string into <paramref name="into"/>, its bytes as <see cref="ReadStringAsync(RdbInput, CancellationToken)"/>
    /// gives them, reusing its array: a plain or integer string the buffer holds whole costs no allocation and no async step.
    /// </summary>
    public static ValueTask ReadStringAsync(this RdbInput input, RdbReusedBytes into, CancellationToken cancellationToken)
    {
        var buffered = input.Buffered;
        if (!TryReadLength(buffered, out var length, out var used))
            return ReadStringSlowAsync(input, into, cancellationToken);
        if (!length.Encoded)
        {
            if (length.Value > (ulong)(buffered.Length - used))
                return ReadStringSlowAsync(input, into, cancellationToken);
            into.Set(buffered.Slice(used, (int)length.Value));
            input.Advance(used + (int)length.Value);
            return ValueTask.CompletedTask;
        }

        if (IntegerBytes(length.Value) is not { } bytes || bytes > buffered.Length - used)
            return ReadStringSlowAsync(input, into, cancellationToken);
        into.SetDecimal(ReadInteger(buffered.Slice(used, bytes)));
        input.Advance(used + bytes);
        return ValueTask.CompletedTask;
    }

    /// <summary>Consumes a score as the old sorted sets wrote it: a length byte and that many characters, or 253..255 for nan and the infinities.</summary>
    public static async ValueTask SkipTextDoubleAsync(this RdbInput input, CancellationToken cancellationToken)
    {
        var length = await input.ReadByteAsync(cancellationToken);
        if (length < 253)
            await input.SkipAsync(length, cancellationToken);
    }

    private static async ValueTask<Length> ReadLengthSlowAsync(RdbInput input, CancellationToken cancellationToken)
    {
        var first = await input.ReadByteAsync(cancellationToken);
        switch (first >> 6)
        {
            case 0:
                return new Length((ulong)(first & 0x3f), false);
            case 1:
                var low = await input.ReadByteAsync(cancellationToken);
                return new Length(((ulong)(first & 0x3f) << 8) | low, false);
            case 3:
                return new Length((ulong)(first & 0x3f), true);
        }

        return first switch
        {
            0x80 => new Length(await input.ReadBigEndianAsync(4, cancellationToken), false),
            0x81 => new Length(await input.ReadBigEndianAsync(8, cancellationToken), false),
            _ => throw new RdbFormatException(input.Offset - 1, $"0x{first:x2} is no length encoding"),
        };
    }

    private static async ValueTask<ulong> ReadCountSlowAsync(RdbInput input, CancellationToken cancellationToken)
    {
        var start = input.Offset;
        var length = await input.ReadLengthAsync(cancellationToken);
        if (length.Encoded)
            throw new RdbFormatException(start, "a string encoding stands where a length belongs");
        return length.Value;
    }

    private static async ValueTask ReadStringSlowAsync(RdbInput input, RdbReusedBytes into, CancellationToken cancellationToken) =>
        into.Set(await input.ReadStringAsync(cancellationToken));

    private static async ValueTask SkipStringSlowAsync(RdbInput input, CancellationToken cancellationToken)
    {
        var start = input.Offset;
        var length = await input.ReadLengthAsync(cancellationToken);
        if (!length.Encoded)
        {
            await input.SkipAsync((long)length.Value, cancellationToken);
            return;
        }

        switch ((int)length.Value)
        {
            case EncodedInt8:
                await input.SkipAsync(1, cancellationToken);
                return;
            case EncodedInt16:
                await input.SkipAsync(2, cancellationToken);
                return;
            case EncodedInt32:
                await input.SkipAsync(4, cancellationToken);
                return;
            case EncodedLzf:
                var compressed = await input.ReadCountAsync(cancellationToken);
                await input.ReadCountAsync(cancellationToken);
                await input.SkipAsync((long)compressed, cancellationToken);
                return;
            default:
                throw new RdbFormatException(start, $"string encoding {length.Value} is unknown");
        }
    }

    /// <summary>Consumes a string and returns its bytes: integers as their decimal text, LZF decompressed.</summary>
    public static async ValueTask<byte[]> ReadStringAsync(this RdbInput input, CancellationToken cancellationToken)
    {
        var start = input.Offset;
        var length = await input.ReadLengthAsync(cancellationToken);
        if (!length.Encoded)
            return await input.ReadBytesAsync((long)length.Value, cancellationToken);

        switch ((int)length.Value)
        {
            case EncodedInt8:
                return Decimal((sbyte)await input.ReadByteAsync(cancellationToken));
            case EncodedInt16:
                return Decimal((short)await input.ReadLittleEndianAsync(2, cancellationToken));
            case EncodedInt32:
                return Decimal((int)await input.ReadLittleEndianAsync(4, cancellationToken));
            case EncodedLzf:
                var compressedLength = await input.ReadCountAsync(cancellationToken);
                var plainLength = await input.ReadCountAsync(cancellationToken);
                var compressed = await input.ReadBytesAsync((long)compressedLength, cancellationToken);
                if (plainLength > MaxLzfExpansion * compressedLength + MaxLzfExpansion || plainLength > (ulong)Array.MaxLength)
                    throw new RdbFormatException(start, $"a compressed string of {compressedLength} bytes claims to expand to {plainLength}");
                var plain = new byte[plainLength];
                if (!Lzf.TryDecompress(compressed, plain))
                    throw new RdbFormatException(start, "a compressed string does not decompress");
                return plain;
            default:
                throw new RdbFormatException(start, $"string encoding {length.Value} is unknown");
        }
    }

    /// <summary>
    /// A length at the start of <paramref name="bytes"/> and how many bytes it takes; false when they do not hold all of it,
    /// or hold no valid one (the asynchronous read then says which).
    /// </summary>
    private static bool TryReadLength(ReadOnlySpan<byte> bytes, out Length length, out int used)
    {
        length = default;
        used = 0;
        if (bytes.IsEmpty)
            return false;
        var first = bytes[0];
        switch (first >> 6)
        {
            case 0:
                (length, used) = (new Length((ulong)(first & 0x3f), false), 1);
                return true;
            case 1 when bytes.Length >= 2:
                (length, used) = (new Length(((ulong)(first & 0x3f) << 8) | bytes[1], false), 2);
                return true;
            case 3:
                (length, used) = (new Length((ulong)(first & 0x3f), true), 1);
                return true;
        }

        if (first == 0x80 && bytes.Length >= 5)
            (length, used) = (new Length(BinaryPrimitives.ReadUInt32BigEndian(bytes[1..]), false), 5);
        else if (first == 0x81 && bytes.Length >= 9)
            (length, used) = (new Length(BinaryPrimitives.ReadUInt64BigEndian(bytes[1..]), false), 9);
        return used > 0;
    }

    /// <summary>
    /// How many bytes the string at the start of <paramref name="bytes"/> takes, its encoding included; false when they do
    /// not hold all of it, or its encoding is not valid (the asynchronous skip then says why).
    /// </summary>
    private static bool TryMeasureString(ReadOnlySpan<byte> bytes, out int size)
    {
        size = 0;
        if (!TryReadLength(bytes, out var length, out var used))
            return false;
        ulong body;
        if (!length.Encoded)
        {
            body = length.Value;
        }
        else if (IntegerBytes(length.Value) is { } integer)
        {
            body = (ulong)integer;
        }
        else if (length.Value == EncodedLzf
            && TryReadLength(bytes[used..], out var compressed, out var compressedUsed) && !compressed.Encoded
            && TryReadLength(bytes[(used + compressedUsed)..], out var plain, out var plainUsed) && !plain.Encoded)
        {
            used += compressedUsed + plainUsed;
            body = compressed.Value;
        }
        else
        {
            return false;
        }

        if (body > (ulong)(bytes.Length - used))
            return false;
        size = used + (int)body;
        return true;
    }

    // The bytes an integer-encoded string takes after its encoding byte; null for any other encoding.
    private static int? IntegerBytes(ulong encoding) => encoding switch
    {
        EncodedInt8 => 1,
        EncodedInt16 => 2,
        EncodedInt32 => 4,
        _ => null,
    };

    private static long ReadInteger(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        1 => (sbyte)bytes[0],
        2 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
        _ => BinaryPrimitives.ReadInt32LittleEndian(bytes),
    };

    private static byte[] Decimal(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
