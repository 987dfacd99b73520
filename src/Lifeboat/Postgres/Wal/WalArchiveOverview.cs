using Lifeboat.Repository;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// One source's WAL archive as a listing of backups and a check look at it: its contents from one listing, the history
/// of each timeline that has one, and the source's base backups; its gaps and its recoverable window come from these.
/// </summary>
public sealed class WalArchiveOverview
{
    private readonly WalArchive archive;
    private readonly List<WalFinding> unreadable;
    private readonly Dictionary<uint, LifeboatException> damaged;

    private WalArchiveOverview(
        WalArchive archive, WalArchiveContents contents, IReadOnlyList<BaseBackupPoint> backups, Dictionary<uint, TimelineHistory> histories, List<WalFinding> unreadable, Dictionary<uint, LifeboatException> damaged)
    {
        this.archive = archive;
        Contents = contents;
        Backups = backups;
        Histories = histories;
        this.unreadable = unreadable;
        this.damaged = damaged;
    }

    /// <summary>What the archive holds.</summary>
    public WalArchiveContents Contents { get; }

    /// <summary>The source's base backups, oldest first.</summary>
    public IReadOnlyList<BaseBackupPoint> Backups { get; }

    /// <summary>The history of each timeline whose history file is archived and reads.</summary>
    public IReadOnlyDictionary<uint, TimelineHistory> Histories { get; }

    /// <summary>How many whole segments are archived, on every timeline.</summary>
    public int SegmentCount => Contents.Timelines.Sum(t => Contents.Segments(t).Count);

    /// <summary>
    /// Loads <paramref name="sourceName"/>'s archive, with its base backups among <paramref name="manifests"/>; null when
    /// the source has neither an archive nor a base backup.
    /// </summary>
    public static async Task<WalArchiveOverview?> LoadAsync(BackupRepository repository, string sourceName, IEnumerable<BackupManifest> manifests, CancellationToken cancellationToken)
    {
        var archive = new WalArchive(repository, sourceName);
        var backups = BaseBackupPoint.Of(manifests.Where(m => m.Name == sourceName));
        var identity = await archive.IdentityAsync(cancellationToken);
        var segmentSize = identity?.SegmentSize ?? backups.FirstOrDefault()?.Info.SegmentSize ?? WalFileName.DefaultSegmentSize;
        var contents = await WalArchiveContents.ListAsync(repository, sourceName, segmentSize, cancellationToken);
        if (contents.Timelines.Count == 0 && backups.Count == 0)
            return null;

        var histories = new Dictionary<uint, TimelineHistory>();
        var unreadable = new List<WalFinding>();
        var damaged = new Dictionary<uint, LifeboatException>();
        foreach (var timeline in contents.Timelines.Where(contents.HasHistory))
        {
            try
            {
                if (await archive.HistoryAsync(timeline, cancellationToken) is { } history)
                    histories[timeline] = history;
            }
            catch (LifeboatException e)
            {
                // A damaged history must not hide the rest of the archive from the check; it is one finding.
                unreadable.Add(new(WalFindingKind.UnreadableHistory, timeline, $"timeline {timeline}: its history file does not read: {e.Message}"));
                damaged[timeline] = e;
            }
        }

        return new WalArchiveOverview(archive, contents, backups, histories, unreadable, damaged);
    }

    /// <summary>The integrity of the segment sequence per timeline, and of each base backup's WAL.</summary>
    public IReadOnlyList<WalFinding> Gaps() => [.. unreadable, .. WalGaps.Find(Contents, Backups, Histories)];

    /// <summary>
    /// The moments the cluster can be recovered to; null without a base backup. A damaged history on the way to the
    /// timeline chosen fails as it fails a restore.
    /// </summary>
    public Task<RecoverableWindow?> WindowAsync(CancellationToken cancellationToken) =>
        RecoverableWindow.FindAsync(Contents, Backups, ReadHistory, archive.RecordAsync, cancellationToken);

    /// <summary>
    /// Another timeline that went on writing after the one a restore follows by default began; null when none did, or
    /// when no timeline can be chosen (what stands in the way is a finding of <see cref="Gaps"/>). Reads nothing.
    /// </summary>
    public async Task<TimelineFork?> ForkAsync(CancellationToken cancellationToken)
    {
        try
        {
            var history = await LatestTimeline.ChooseAsync(Contents, [.. Backups.Select(b => b.Wal)], ReadHistory, cancellationToken);
            return history is null ? null : TimelineFork.Of(history, Contents);
        }
        catch (LifeboatException)
        {
            return null;
        }
    }

    private Task<TimelineHistory?> ReadHistory(uint timeline, CancellationToken cancellationToken) =>
        damaged.TryGetValue(timeline, out var e) ? Task.FromException<TimelineHistory?>(e) : LatestTimeline.Of(Histories)(timeline, cancellationToken);
}
