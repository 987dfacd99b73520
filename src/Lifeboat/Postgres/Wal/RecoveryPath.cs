namespace Lifeboat.Postgres.Wal;

/// <summary>
/// The WAL files recovery from a base backup reads when it follows a target timeline's history: for each segment
/// number from the backup's first, the file of the newest timeline in the history that had begun by that segment
/// (PostgreSQL's XLogFileReadAnyTLI order). Pure: it reads nothing, so restore, list and check can plan with it.
/// </summary>
public sealed class RecoveryPath
{
    // The target timeline and its ancestors, newest first, each with the segment its WAL begins in.
    private readonly (uint Timeline, ulong BeginSegment)[] steps;

    private RecoveryPath(TimelineHistory history, BackupWal backup, long segmentSize)
    {
        SegmentSize = segmentSize;
        Timeline = history.Timeline;
        Backup = backup;
        First = backup.FirstSegment(segmentSize);
        var begins = history.Branches.Select(b => b.End.Value / (ulong)segmentSize).Prepend(0UL).ToList();
        steps = [.. history.Branches.Select(b => b.Timeline).Append(history.Timeline).Select((timeline, i) => (timeline, begins[i])).Reverse()];
    }

    /// <summary>The timeline recovery follows.</summary>
    public uint Timeline { get; }

    /// <summary>The base backup recovery starts from.</summary>
    public BackupWal Backup { get; }

    /// <summary>The running number of the first segment recovery reads.</summary>
    public ulong First { get; }

    /// <summary>The cluster's WAL segment size.</summary>
    public long SegmentSize { get; }

    /// <summary>The running number of the last segment the backup needs to become consistent.</summary>
    public ulong BackupEnd => Backup.LastSegment(SegmentSize);

    /// <summary>
    /// The path from <paramref name="backup"/> along <paramref name="history"/>, or null when the history does not contain
    /// the backup (it lies on a branch the target timeline left before): PostgreSQL would stop with "requested timeline is
    /// not a child of this server's history".
    /// </summary>
    public static RecoveryPath? Of(TimelineHistory history, BackupWal backup, long segmentSize) =>
        Contains(history, backup) ? new RecoveryPath(history, backup, segmentSize) : null;

    /// <summary>True when recovery along <paramref name="history"/> can start from <paramref name="backup"/>: its start and its stop lie on its timelines there.</summary>
    public static bool Contains(TimelineHistory history, BackupWal backup)
    {
        if (backup.Timeline == backup.StopTimeline)
            return history.LeadsFrom(backup.Timeline, backup.Start, backup.Stop);
        // Taken on a standby promoted meanwhile: it starts on one timeline and becomes consistent on the next.
        return history.LeadsFrom(backup.Timeline, backup.Start, new WalPosition(backup.Start.Value + 1))
            && history.LeadsFrom(backup.StopTimeline, new WalPosition(backup.Stop.Value - 1), backup.Stop);
    }

    /// <summary>The timeline whose file recovery reads for segment <paramref name="number"/>.</summary>
    public uint TimelineOf(ulong number)
    {
        foreach (var (timeline, begin) in steps)
        {
            if (begin <= number)
                return timeline;
        }

        return steps[^1].Timeline;
    }

    /// <summary>The file recovery reads for segment <paramref name="number"/>.</summary>
    public WalFileName FileOf(ulong number) => WalFileName.OfNumber(TimelineOf(number), number, SegmentSize);

    /// <summary>The segment holding position <paramref name="position"/>, as a running number.</summary>
    public ulong SegmentOf(WalPosition position) => position.Value / (ulong)SegmentSize;

    /// <summary>How far <paramref name="contents"/> carries recovery along this path, and whether WAL lies archived beyond a gap.</summary>
    public RecoveryReach Follow(WalArchiveContents contents)
    {
        var number = First;
        if (!Has(contents, number))
            return new RecoveryReach(null, FileOf(number), FirstArchivedAfter(contents, number));
        while (Has(contents, number + 1))
            number++;
        return new RecoveryReach(FileOf(number), FileOf(number + 1), FirstArchivedAfter(contents, number + 1));
    }

    /// <summary>The runs of segments from the first to the one the backup becomes consistent in that <paramref name="contents"/> lacks along this path: none when recovery can start from it.</summary>
    public IReadOnlyList<WalSegmentRange> MissingToConsistency(WalArchiveContents contents) =>
        WalSegmentRange.Missing(Archived(contents).TakeWhile(n => n <= BackupEnd), First, BackupEnd);

    /// <summary>
    /// True when <paramref name="contents"/> holds every segment from the first to the one the backup becomes consistent
    /// in: recovery can start from it. The window, the choice of a restore and the check all judge a backup by this.
    /// </summary>
    public bool ReachesConsistency(WalArchiveContents contents) => MissingToConsistency(contents).Count == 0;

    /// <summary>The segments of this path that <paramref name="contents"/> holds, from the first on, in order (gaps skipped).</summary>
    public IEnumerable<ulong> Archived(WalArchiveContents contents) =>
        steps.SelectMany(step => contents.Segments(step.Timeline).Where(n => n >= First && TimelineOf(n) == step.Timeline)).Order();

    private bool Has(WalArchiveContents contents, ulong number) => contents.Has(TimelineOf(number), number);

    private WalFileName? FirstArchivedAfter(WalArchiveContents contents, ulong missing) =>
        Archived(contents).Where(n => n > missing).Select(n => (ulong?)n).FirstOrDefault() is { } found ? FileOf(found) : null;
}
