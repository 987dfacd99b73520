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

    public static async ValueTask<Length> ReadLengthAsync(this RdbInput input, CancellationToken cancellationToken)
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

    /// <summary>A length that must be a plain count.</summary>
    public static async ValueTask<ulong> ReadCountAsync(this RdbInput input, CancellationToken cancellationToken)
    {
        var start = input.Offset;
        var length = await input.ReadLengthAsync(cancellationToken);
        if (length.Encoded)
            throw new RdbFormatException(start, "a string encoding stands where a length belongs");
        return length.Value;
    }

    /// <summary>Consumes a string in whatever encoding it has.</summary>
    public static async ValueTask SkipStringAsync(this RdbInput input, CancellationToken cancellationToken)
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

    /// <summary>Consumes a score as the old sorted sets wrote it: a length byte and that many characters, or 253..255 for nan and the infinities.</summary>
    public static async ValueTask SkipTextDoubleAsync(this RdbInput input, CancellationToken cancellationToken)
    {
        var length = await input.ReadByteAsync(cancellationToken);
        if (length < 253)
            await input.SkipAsync(length, cancellationToken);
    }

    private static byte[] Decimal(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
