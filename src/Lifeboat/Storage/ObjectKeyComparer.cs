namespace Lifeboat.Storage;

/// <summary>Orders keys by their UTF-8 bytes, the order S3 lists in, so every medium lists alike.</summary>
public sealed class ObjectKeyComparer : IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static ObjectKeyComparer Instance { get; } = new();

    private ObjectKeyComparer()
    {
    }

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
            return x is null ? (y is null ? 0 : -1) : 1;
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
                return CodePointOrder(x[i]) - CodePointOrder(y[i]);
        }

        return x.Length - y.Length;
    }

    // UTF-8 byte order is code point order. UTF-16 order differs only in that surrogates (U+D800–DFFF,
    // which encode code points above U+FFFF) sort below U+E000–FFFF; lift them above. The first
    // differing char of a well-formed pair decides, so no decoding is needed.
    private static int CodePointOrder(char c) => char.IsSurrogate(c) ? c + 0x2000 : c >= '\uE000' ? c - 0x800 : c;
}
