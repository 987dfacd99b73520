namespace Lifeboat.Postgres;

/// <summary>The known names closest to one that was not found (fewest single-character edits, ignoring case), for an error to offer.</summary>
internal static class NearestNames
{
    /// <summary>Up to <paramref name="count"/> of <paramref name="known"/>, closest to <paramref name="name"/> first.</summary>
    public static IReadOnlyList<string> To(string name, IEnumerable<string> known, int count) =>
        [.. known.Distinct(StringComparer.Ordinal).OrderBy(k => Distance(k, name)).ThenBy(k => k, StringComparer.Ordinal).Take(count)];

    private static int Distance(string a, string b)
    {
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
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
