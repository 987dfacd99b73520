namespace Lifeboat.Redis.ServerRestore;

/// <summary>Redis's own glob (util.c stringmatchlen): *, ?, [abc], [^a], [a-z] and \ escapes, byte by byte, case-sensitive.</summary>
public static class RedisGlob
{
    private const int MaxNesting = 1000;

    /// <summary>True when <paramref name="key"/> matches <paramref name="pattern"/> as KEYS and SCAN MATCH would have it.</summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> key)
    {
        // KEYS and SCAN take a lone * as every key before matching, the empty key included, which stringmatchlen would not match.
        if (pattern.SequenceEqual("*"u8))
            return true;
        var skipLongerMatches = false;
        return Match(pattern, key, ref skipLongerMatches, 0);
    }

    private static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, ref bool skipLongerMatches, int nesting)
    {
        if (nesting > MaxNesting)
            return false;
        while (pattern.Length > 0 && text.Length > 0)
        {
            switch (pattern[0])
            {
                case (byte)'*':
                    while (pattern.Length > 1 && pattern[1] == '*')
                        pattern = pattern[1..];
                    if (pattern.Length == 1)
                        return true;
                    while (text.Length > 0)
                    {
                        if (Match(pattern[1..], text, ref skipLongerMatches, nesting + 1))
                            return true;
                        if (skipLongerMatches)
                            return false;
                        text = text[1..];
                    }

                    // The rest of the pattern matches nowhere in the rest of the text: an earlier * cannot help either.
                    skipLongerMatches = true;
                    return false;
                case (byte)'?':
                    text = text[1..];
                    break;
                case (byte)'[':
                    if (!MatchClass(ref pattern, text[0]))
                        return false;
                    text = text[1..];
                    break;
                default:
                    if (pattern[0] == '\\' && pattern.Length >= 2)
                        pattern = pattern[1..];
                    if (pattern[0] != text[0])
                        return false;
                    text = text[1..];
                    break;
            }

            pattern = pattern[1..];
            if (text.Length == 0)
            {
                while (pattern.Length > 0 && pattern[0] == '*')
                    pattern = pattern[1..];
                break;
            }
        }

        return pattern.Length == 0 && text.Length == 0;
    }

    /// <summary>Matches <paramref name="c"/> against the class at the pattern's start, leaving the pattern at its closing ']'.</summary>
    private static bool MatchClass(ref ReadOnlySpan<byte> pattern, byte c)
    {
        pattern = pattern[1..];
        var negated = pattern.Length > 0 && pattern[0] == '^';
        if (negated)
            pattern = pattern[1..];
        var match = false;
        while (true)
        {
            if (pattern.Length >= 2 && pattern[0] == '\\')
            {
                pattern = pattern[1..];
                match |= pattern[0] == c;
            }
            else if (pattern.Length == 0)
            {
                // An unclosed class ends the pattern; one byte is left for the caller to step over, as for a ']'.
                pattern = "]"u8;
                break;
            }
            else if (pattern[0] == ']')
            {
                break;
            }
            else if (pattern.Length >= 3 && pattern[1] == '-')
            {
                // C compares plain chars, which are signed.
                int start = (sbyte)pattern[0], end = (sbyte)pattern[2], value = (sbyte)c;
                if (start > end)
                    (start, end) = (end, start);
                match |= value >= start && value <= end;
                pattern = pattern[2..];
            }
            else
            {
                match |= pattern[0] == c;
            }

            pattern = pattern[1..];
        }

        return negated != match;
    }
}
