namespace Lifeboat.Buckets.Restore;

/// <summary>
/// The key prefix a restore (or mirror) works under: it lists the target there, refuses a non-empty target there, and
/// removes extras only there. It never reaches beyond what the snapshots (or the configured source) cover, so keys
/// they never held are left alone.
/// </summary>
public static class RestoreScope
{
    /// <summary>
    /// The prefix for <paramref name="requested"/> (null for all the snapshot holds) within
    /// <paramref name="recorded"/>, the prefix the snapshots of source <paramref name="name"/> were taken under.
    /// </summary>
    public static string Of(string? recorded, string? requested, string name) =>
        Within(recorded, requested, $"the prefix the snapshots of bucket source '{name}' hold");

    /// <summary>
    /// The prefix for <paramref name="requested"/> (null for all) within <paramref name="covered"/>, which
    /// <paramref name="coveredBy"/> says what set it ("the prefix bucket source 'x' is configured with").
    /// </summary>
    public static string Within(string? covered, string? requested, string coveredBy)
    {
        covered ??= "";
        if (requested is null || covered.StartsWith(requested, StringComparison.Ordinal))
            return covered;
        if (requested.StartsWith(covered, StringComparison.Ordinal))
            return requested;
        throw new LifeboatException(
            $"prefix '{requested}' lies outside '{covered}', {coveredBy}",
            $"choose a prefix that starts with '{covered}'",
            FailureKind.Usage);
    }
}
