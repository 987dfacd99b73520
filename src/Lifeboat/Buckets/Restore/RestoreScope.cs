namespace Lifeboat.Buckets.Restore;

/// <summary>
/// The key prefix a restore works under: it lists the target there, refuses a non-empty target there, and removes
/// extras only there. It never reaches beyond what the snapshots cover, so keys they never held are left alone.
/// </summary>
public static class RestoreScope
{
    /// <summary>
    /// The prefix for <paramref name="requested"/> (null for all the snapshot holds) within
    /// <paramref name="recorded"/>, the prefix the snapshots of source <paramref name="name"/> were taken under.
    /// </summary>
    public static string Of(string? recorded, string? requested, string name)
    {
        recorded ??= "";
        if (requested is null || recorded.StartsWith(requested, StringComparison.Ordinal))
            return recorded;
        if (requested.StartsWith(recorded, StringComparison.Ordinal))
            return requested;
        throw new LifeboatException(
            $"prefix '{requested}' lies outside '{recorded}', the prefix the snapshots of bucket source '{name}' hold",
            $"choose a prefix that starts with '{recorded}'",
            FailureKind.Usage);
    }
}
