namespace Lifeboat.Cli.Configuration;

/// <summary>The "did you mean" hint for an unknown key: the closest declared key, at the list position the user wrote.</summary>
internal static class KeySuggestion
{
    private const int MaxEdits = 3;

    /// <summary>The closest known key as users write it, or null when none is close.</summary>
    public static string? For(string key)
    {
        var shape = ConfigSchema.Shape(key);
        var best = ConfigSchema.Keys.MinBy(k => EditDistance.Between(k, shape));
        if (best is null || EditDistance.Between(best, shape) > MaxEdits)
            return null;
        return ConfigSchema.Display(AtPositionsOf(key, best));
    }

    // postgres:0:hots suggests postgres[0].host, not postgres[].host, which is no key anyone can write.
    private static string AtPositionsOf(string key, string known)
    {
        var written = key.Split(':');
        var segments = known.Split(':');
        if (written.Length != segments.Length)
            return known;
        return string.Join(':', segments.Select((s, i) => s == "[]" && ConfigSchema.IsPosition(written[i]) ? written[i] : s));
    }
}
