namespace Lifeboat.Postgres.Wal;

/// <summary>
/// The moments a source's cluster can be recovered to, as a point-in-time restore to a time without a named timeline
/// would recover: along the timeline <see cref="LatestTimeline"/> chooses, reading the files <see cref="RecoveryPath"/>
/// names, from the oldest base backup in its history whose WAL is complete (the moment it finished) to the last
/// archived commit reachable without a gap from the newest one; a gap after the oldest backup cuts the window there.
/// </summary>
/// <param name="Earliest">The oldest base backup recovery can start from, or null when none has all the WAL it needs.</param>
/// <param name="LastCommit">The last commit recovery reaches, or null when no archived segment it reaches recorded one.</param>
/// <param name="LastSegment">The last segment recovery reaches without a gap, or null with no usable backup.</param>
/// <param name="Timeline">The timeline recovery follows (without one that contains a backup, the newest backup's own).</param>
/// <param name="Cuts">Each gap after <paramref name="Earliest"/>, oldest first: the window has a hole there, or ends there.</param>
/// <param name="Fork">Another timeline that went on writing after <paramref name="Timeline"/> began, or null.</param>
public sealed record RecoverableWindow(BaseBackupPoint? Earliest, WalCommit? LastCommit, string? LastSegment, uint Timeline, IReadOnlyList<WindowCut> Cuts, TimelineFork? Fork)
{
    /// <summary>
    /// The window of an archive with these <paramref name="contents"/>, its base <paramref name="backups"/> (oldest
    /// first) and its histories; null without a base backup. Reads a few records, from the end back to the last commit
    /// before each gap and before the end.
    /// </summary>
    public static async Task<RecoverableWindow?> FindAsync(
        WalArchiveContents contents,
        IReadOnlyList<BaseBackupPoint> backups,
        TimelineHistoryReader readHistory,
        WalRecordReader readRecord,
        CancellationToken cancellationToken)
    {
        if (backups.Count == 0)
            return null;
        var history = await LatestTimeline.ChooseAsync(contents, [.. backups.Select(b => b.Wal)], readHistory, cancellationToken);
        if (history is null)
            return new RecoverableWindow(null, null, null, backups[^1].Timeline, [], null);
        var fork = TimelineFork.Of(history, contents);
        var usable = backups.Where(b => RecoveryPath.Of(history, b.Wal, contents.SegmentSize)?.ReachesConsistency(contents) == true)
            .ToList();
        if (usable.Count == 0)
            return new RecoverableWindow(null, null, null, history.Timeline, [], fork);

        // Every backup in the history reads the same file for a segment: the oldest's path names them all.
        var path = RecoveryPath.Of(history, usable[0].Wal, contents.SegmentSize)!;
        var present = path.Archived(contents).ToList();
        var last = present[^1];
        var gaps = WalSegmentRange.Missing(present, usable[0].FirstNumber, last);
        var cuts = new List<WindowCut>();
        foreach (var gap in gaps)
        {
            var before = usable.LastOrDefault(b => b.FirstNumber < gap.First) ?? usable[0];
            var commit = await LastCommitAsync(path, before.FirstNumber, gap.First, readRecord, cancellationToken);
            var resumes = usable.FirstOrDefault(b => b.FirstNumber > gap.Last);
            var stranded = present.Count(n => n > gap.Last);
            cuts.Add(new WindowCut(gap.Describe(path.TimelineOf, contents.SegmentSize), gap.Count, commit, resumes, stranded, path.FileOf(last).Text));
            if (resumes is null)
                break; // nothing after the first gap past the newest usable backup is reachable
        }

        // Recovery from the newest backup before the end reads on to the end, or to the gap that ends the window.
        var endsAt = cuts is [.., { ResumesWith: null }] ? gaps[cuts.Count - 1].First : last + 1;
        var newest = usable.LastOrDefault(b => b.FirstNumber < endsAt) ?? usable[0];
        var lastCommit = await LastCommitAsync(path, newest.FirstNumber, endsAt, readRecord, cancellationToken);
        var lastSegment = endsAt > newest.FirstNumber ? path.FileOf(endsAt - 1).Text : null;
        return new RecoverableWindow(usable[0], lastCommit, lastSegment, history.Timeline, cuts, fork);
    }

    /// <summary>The moment the window ends: its last commit, or the start when no commit was archived after the oldest backup.</summary>
    public DateTimeOffset? End => LastCommit?.Time ?? Earliest?.FinishedAt;

    // The last commit in the segments from first up to (not including) end, read from the end back.
    private static async Task<WalCommit?> LastCommitAsync(RecoveryPath path, ulong first, ulong end, WalRecordReader readRecord, CancellationToken cancellationToken)
    {
        for (var number = end; number > first;)
        {
            number--;
            if (await readRecord(path.FileOf(number), cancellationToken) is { LastCommit: { } commit })
                return commit;
        }

        return null;
    }
}
