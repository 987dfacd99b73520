namespace Lifeboat.Postgres.Wal;

/// <summary>
/// The timeline a point-in-time recovery follows when none is named ("latest"): the newest archived timeline whose
/// history contains a base backup, like PostgreSQL's own choice but one recovery can follow. Restore recovers along it,
/// and list and check describe that same recovery, so what they show is what a restore would do.
/// </summary>
public static class LatestTimeline
{
    /// <summary>The timelines recovery can follow, newest first: those whose history file is archived, and timeline 1.</summary>
    public static IReadOnlyList<uint> Followable(WalArchiveContents contents) =>
        [.. contents.Timelines.Where(contents.HasHistory).Append(1u).Distinct().OrderDescending()];

    /// <summary>
    /// The history of the newest followable timeline that contains one of <paramref name="backups"/> (its start and its
    /// stop, on whichever timelines they lie), or null when none does. Reads histories newest first, and no further than
    /// the one chosen.
    /// </summary>
    public static async Task<TimelineHistory?> ChooseAsync(
        WalArchiveContents contents, IReadOnlyCollection<BackupWal> backups, TimelineHistoryReader readHistory, CancellationToken cancellationToken)
    {
        foreach (var timeline in Followable(contents))
        {
            if (await readHistory(timeline, cancellationToken) is { } history && backups.Any(b => RecoveryPath.Contains(history, b)))
                return history;
        }

        return null;
    }

    /// <summary>A reader of histories already loaded (<paramref name="histories"/>), giving timeline 1 its empty one.</summary>
    public static TimelineHistoryReader Of(IReadOnlyDictionary<uint, TimelineHistory> histories) =>
        (timeline, _) => Task.FromResult(histories.GetValueOrDefault(timeline) ?? (timeline == 1 ? new TimelineHistory(1, []) : null));
}
