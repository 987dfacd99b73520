namespace Lifeboat.Cli.Configuration;

/// <summary>The "did you mean" hint for an unknown key: the closest declared key, at the list position the user wrote.</summary>
internal static class KeySuggestion
{
    private const int MaxEdits = 3;

    /// <summary>The closest known key as users write it, or null when none is close.</summary>
    public static string? For(string key)
    {
        var shape = Shape(key);
        var best = ConfigSchema.Keys.MinBy(k => Distance(k.ToUpperInvariant(), shape));
        if (best is null || Distance(best.ToUpperInvariant(), shape) > MaxEdits)
            return null;
        return ConfigSchema.Display(AtPositionsOf(key, best));
    }

    private static string Shape(string key) => ConfigSchema.Shape(key).ToUpperInvariant();

    // postgres:0:hots suggests postgres[0].host, not postgres[].host, which is no key anyone can write.
    private static string AtPositionsOf(string key, string known)
    {
        var written = key.Split(':');
        var segments = known.Split(':');
        if (written.Length != segments.Length)
            return known;
        return string.Join(':', segments.Select((s, i) => s == "[]" && ConfigSchema.IsPosition(written[i]) ? written[i] : s));
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
