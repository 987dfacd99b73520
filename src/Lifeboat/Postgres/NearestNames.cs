namespace Lifeboat.Postgres;

/// <summary>The known names closest to one that was not found (fewest single-character edits, ignoring case), for an error to offer.</summary>
internal static class NearestNames
{
    /// <summary>Up to <paramref name="count"/> of <paramref name="known"/>, closest to <paramref name="name"/> first.</summary>
    public static IReadOnlyList<string> To(string name, IEnumerable<string> known, int count) =>
        [.. known.Distinct(StringComparer.Ordinal).OrderBy(k => EditDistance.Between(k, name)).ThenBy(k => k, StringComparer.Ordinal).Take(count)];
}
