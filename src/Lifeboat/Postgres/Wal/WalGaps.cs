namespace Lifeboat.Postgres.Wal;

/// <summary>
/// The integrity of an archive's segment sequence, per timeline, as WAL-G's wal-verify checks it: from where recovery
/// may start (the oldest base backup's first segment, or the timeline's own start from its history) to the newest
/// segment archived, every segment there and with its record; every timeline after the first with its history; every
/// base backup with the WAL it needs. Reads nothing: the listing and the histories are given.
/// </summary>
public static class WalGaps
{
    /// <summary>What the archive's <paramref name="contents"/> show, with <paramref name="backups"/> oldest first and the <paramref name="histories"/> archived.</summary>
    public static IReadOnlyList<WalFinding> Find(WalArchiveContents contents, IReadOnlyList<BaseBackupPoint> backups, IReadOnlyDictionary<uint, TimelineHistory> histories)
    {
        var findings = new List<WalFinding>();
        foreach (var timeline in contents.Timelines)
            findings.AddRange(OfTimeline(contents, timeline, backups, histories.GetValueOrDefault(timeline)));
        foreach (var backup in backups)
        {
            if (OfBackup(contents, backup, histories) is { } incomplete)
                findings.Add(incomplete);
        }

        return findings;
    }

    private static IEnumerable<WalFinding> OfTimeline(WalArchiveContents contents, uint timeline, IReadOnlyList<BaseBackupPoint> backups, TimelineHistory? history)
    {
        var size = contents.SegmentSize;
        var problems = new List<WalFinding>();
        if (timeline > 1 && !contents.HasHistory(timeline))
            problems.Add(new(WalFindingKind.NoHistory, timeline, $"timeline {timeline}: its history file {timeline:X8}.history is not archived; recovery cannot follow this timeline"));

        var whole = contents.Segments(timeline);
        var archived = whole.Concat(contents.Partials(timeline)).ToList();
        if (archived.Count == 0)
            return problems.Count > 0 ? problems : [new(WalFindingKind.Complete, timeline, $"timeline {timeline}: history archived, no segments yet")];

        var (from, to) = (First(timeline, archived, backups, history, size), archived.Max());
        if (from > to)
            return problems.Count > 0 ? problems : [new(WalFindingKind.Complete, timeline, $"timeline {timeline}: ends before the oldest base backup's WAL begins ({archived.Count} segment(s) archived, none needed)")];
        foreach (var gap in WalSegmentRange.Missing(archived, from, to))
            problems.Add(new(WalFindingKind.Missing, timeline, $"timeline {timeline}: {gap.Describe(_ => timeline, size)} missing ({gap.CountText})"));
        foreach (var bare in WalSegmentRange.Runs(whole.Where(n => !contents.HasRecord(timeline, n))))
            problems.Add(new(WalFindingKind.WithoutRecord, timeline, $"timeline {timeline}: {bare.Describe(_ => timeline, size)} archived without the record of their commits ({bare.CountText}); the recoverable window cannot be told past them"));
        if (problems.Count > 0)
            return problems;
        var checkedRange = new WalSegmentRange(from, to);
        return [new(WalFindingKind.Complete, timeline, $"timeline {timeline}: {checkedRange.Describe(_ => timeline, size)} complete ({checkedRange.CountText})")];
    }

    // Recovery may need this timeline's WAL from the oldest backup on, but never from before the timeline began; without
    // its history where it began is unknown, so it is checked from its oldest segment or the oldest backup taken on it.
    private static ulong First(uint timeline, List<ulong> archived, IReadOnlyList<BaseBackupPoint> backups, TimelineHistory? history, long size)
    {
        if (timeline > 1 && history is null)
            return backups.Where(b => b.Timeline == timeline).Select(b => b.FirstNumber).Append(archived.Min()).Min();
        var begins = history is { Branches.Count: > 0 } ? history.Branches[^1].End.Value / (ulong)size : 0UL;
        var oldest = backups.Count > 0 ? backups.Min(b => b.FirstNumber) : archived.Min();
        return Math.Max(begins, oldest);
    }

    private static WalFinding? OfBackup(WalArchiveContents contents, BaseBackupPoint backup, IReadOnlyDictionary<uint, TimelineHistory> histories)
    {
        var wal = backup.Wal;
        if (PathToConsistency(contents, wal, histories) is not { } path)
        {
            return new(
                WalFindingKind.BackupIncomplete,
                wal.StopTimeline,
                $"base backup {backup.Id} started on timeline {wal.Timeline} and stopped on timeline {wal.StopTimeline}, and no archived history of timeline {wal.StopTimeline} contains it: where its WAL changes timeline is unknown, so it cannot be recovered");
        }

        var missing = path.MissingToConsistency(contents);
        if (missing.Count == 0)
            return null;
        var names = string.Join(", ", missing.Select(r => r.Describe(path.TimelineOf, contents.SegmentSize)));
        return new(
            WalFindingKind.BackupIncomplete,
            wal.StopTimeline,
            $"base backup {backup.Id} needs {backup.Info.FirstSegment}..{backup.Info.LastSegment} to become consistent; {names} missing: it cannot be recovered");
    }

    // The files recovery reads up to the backup's stop are the same in every history that contains it, so the history
    // of the timeline it stopped on names them: a backup of a standby promoted meanwhile needs files of two timelines.
    // One taken and stopped on one timeline needs only that timeline's files, whether or not its history is archived
    // (a missing history is a finding of its own).
    private static RecoveryPath? PathToConsistency(WalArchiveContents contents, BackupWal wal, IReadOnlyDictionary<uint, TimelineHistory> histories)
    {
        var history = histories.GetValueOrDefault(wal.StopTimeline) ?? (wal.StopTimeline == wal.Timeline ? new TimelineHistory(wal.Timeline, []) : null);
        return history is null ? null : RecoveryPath.Of(history, wal, contents.SegmentSize);
    }
}
