namespace Lifeboat.Postgres.Wal;

/// <summary>
/// The WAL recovery reads when it follows <see cref="Target"/>: each segment from the timeline its history gives that
/// segment, as PostgreSQL picks the file of the newest timeline that had begun by the segment's end.
/// </summary>
public sealed class WalTimelinePath
{
    private readonly TimelineHistory? history;
    private readonly long segmentSize;

    private WalTimelinePath(uint target, TimelineHistory? history, long segmentSize)
    {
        Target = target;
        this.history = history;
        this.segmentSize = segmentSize;
    }

    /// <summary>The timeline recovery follows.</summary>
    public uint Target { get; }

    /// <summary>
    /// The path along the newest archived timeline that leads from <paramref name="backup"/> (its own timeline when no
    /// later one does, or when a later one's history is not archived).
    /// </summary>
    public static WalTimelinePath Newest(WalArchiveContents contents, IReadOnlyDictionary<uint, TimelineHistory> histories, BaseBackupPoint backup)
    {
        foreach (var timeline in contents.Timelines.Where(t => t > backup.Timeline).OrderDescending())
        {
            if (histories.TryGetValue(timeline, out var history) && history.LeadsFrom(backup.Timeline, backup.Start, backup.Stop))
                return new WalTimelinePath(timeline, history, contents.SegmentSize);
        }

        return new WalTimelinePath(backup.Timeline, null, contents.SegmentSize);
    }

    /// <summary>The timeline whose file of segment <paramref name="number"/> recovery reads.</summary>
    public uint TimelineOf(ulong number) =>
        history?.TimelineAt(new WalPosition(((number + 1) * (ulong)segmentSize) - 1)) ?? Target;

    /// <summary>True when recovery along this path can start from <paramref name="backup"/>.</summary>
    public bool Leads(BaseBackupPoint backup) =>
        backup.Timeline == Target || (history is not null && history.LeadsFrom(backup.Timeline, backup.Start, backup.Stop));

    /// <summary>The numbers of the segments archived along this path, in order.</summary>
    public IReadOnlyList<ulong> Present(WalArchiveContents contents) =>
    [
        .. contents.Timelines.SelectMany(t => contents.Segments(t).Where(n => TimelineOf(n) == t)).Order(),
    ];
}
