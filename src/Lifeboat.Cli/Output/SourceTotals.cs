namespace Lifeboat.Cli.Output;

/// <summary>What 'list' sums up for one source: how many backups, the oldest and newest, and what they take up stored.</summary>
/// <param name="Source">The source type.</param>
/// <param name="Name">The source's configured name.</param>
/// <param name="Backups">How many backups of it.</param>
/// <param name="Oldest">When the oldest of them started.</param>
/// <param name="Newest">When the newest of them started.</param>
/// <param name="StoredBytes">Bytes stored for all of them.</param>
internal sealed record SourceTotals(string Source, string Name, int Backups, DateTimeOffset Oldest, DateTimeOffset Newest, long StoredBytes)
{
    /// <summary>One line per source type and name, ordered by them; oldest and newest by the recorded start, not the id.</summary>
    public static IReadOnlyList<SourceTotals> Of(IEnumerable<BackupSummary> backups) =>
    [
        .. backups
            .GroupBy(b => (b.Source, b.Name))
            .OrderBy(g => g.Key.Source, StringComparer.Ordinal).ThenBy(g => g.Key.Name, StringComparer.Ordinal)
            .Select(g => new SourceTotals(
                g.Key.Source, g.Key.Name, g.Count(), g.Min(b => b.StartedAt), g.Max(b => b.StartedAt), g.Sum(b => b.StoredBytes))),
    ];
}
