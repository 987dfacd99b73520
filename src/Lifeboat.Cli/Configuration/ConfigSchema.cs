namespace Lifeboat.Cli.Configuration;

/// <summary>Every configuration key Lifeboat understands; anything else is a typo and an error.</summary>
internal static class ConfigSchema
{
    /// <summary>Leaf keys, with list indexes written as "[]".</summary>
    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "repository:url",
        "repository:compression:level",
        "repository:s3:endpoint",
        "repository:s3:region",
        "repository:s3:accessKeyEnv",
        "repository:s3:secretKeyEnv",
        "repository:s3:partSizeMiB",
        "repository:encryption:keyFile",
        "repository:encryption:passphraseEnv",
        "postgres:[]:name",
        "postgres:[]:host",
        "postgres:[]:port",
        "postgres:[]:database",
        "postgres:[]:user",
        "postgres:[]:passwordEnv",
        "postgres:[]:binDir",
        "postgres:[]:postRestore",
    };

    /// <summary>The schema form of a concrete key: numeric segments become "[]".</summary>
    public static string Shape(string key) =>
        string.Join(':', key.Split(':').Select(s => s.All(char.IsAsciiDigit) ? "[]" : s));

    /// <summary>True when the key is a leaf the schema knows, or a section above one.</summary>
    public static bool IsKnown(string key, bool isLeaf)
    {
        var shape = Shape(key);
        if (isLeaf)
            return Keys.Contains(shape);
        return Keys.Any(k => k.StartsWith(shape + ":", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The key as users write it: postgres[0].port.</summary>
    public static string Display(string key) =>
        string.Join('.', key.Split(':').Select(s => s.All(char.IsAsciiDigit) ? $"[{s}]" : s)).Replace(".[", "[", StringComparison.Ordinal);

    /// <summary>The closest known key, for a "did you mean" hint.</summary>
    public static string? Suggest(string key)
    {
        var shape = Shape(key);
        var best = Keys.MinBy(k => Distance(k.ToUpperInvariant(), shape.ToUpperInvariant()));
        return best is not null && Distance(best.ToUpperInvariant(), shape.ToUpperInvariant()) <= 3 ? Display(best) : null;
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
