namespace Lifeboat.Redis.Rdb;

/// <summary>Decompresses LZF, the compression Redis uses for long strings in an RDB (lzf_d.c).</summary>
internal static class Lzf
{
    /// <summary>
    /// Decompresses <paramref name="input"/> into <paramref name="output"/>, which must be exactly the uncompressed length;
    /// false when the data is not valid LZF of that length.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var i = 0;
        var o = 0;
        while (i < input.Length)
        {
            int control = input[i++];
            if (control < 32)
            {
                var literal = control + 1;
                if (i + literal > input.Length || o + literal > output.Length)
                    return false;
                input.Slice(i, literal).CopyTo(output[o..]);
                i += literal;
                o += literal;
                continue;
            }

            var length = control >> 5;
            if (length == 7)
            {
                if (i >= input.Length)
                    return false;
                length += input[i++];
            }

            if (i >= input.Length)
                return false;
            var back = o - ((control & 0x1f) << 8) - 1 - input[i++];
            length += 2;
            if (back < 0 || o + length > output.Length)
                return false;
            // Byte by byte: a back reference may overlap the bytes it produces.
            for (var k = 0; k < length; k++)
                output[o++] = output[back++];
        }

        return o == output.Length;
    }
}
