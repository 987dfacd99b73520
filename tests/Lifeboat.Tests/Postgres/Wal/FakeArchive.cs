using Lifeboat.Postgres;
using Lifeboat.Postgres.Wal;
using Lifeboat.Storage;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>An archive's listing, histories, records and base backups made up for the pure logic of gaps and windows: no repository.</summary>
internal sealed class FakeArchive
{
    public const long SegmentSize = WalFileName.DefaultSegmentSize;
    public static readonly DateTimeOffset Noon = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private readonly List<(string Name, DateTimeOffset StoredAt)> files = [];
    private readonly Dictionary<string, WalSegmentRecord> records = new(StringComparer.Ordinal);

    public Dictionary<uint, TimelineHistory> Histories { get; } = [];

    public List<BaseBackupPoint> Backups { get; } = [];

    /// <summary>The name of segment <paramref name="number"/> on <paramref name="timeline"/>.</summary>
    public static string Name(uint timeline, ulong number) => WalFileName.OfNumber(timeline, number, SegmentSize).Text;

    /// <summary>The moment of the commit the made-up record of segment <paramref name="number"/> on <paramref name="timeline"/> ends with.</summary>
    public static DateTimeOffset CommitTime(uint timeline, ulong number) => Noon.AddMinutes(number).AddSeconds(timeline);

    /// <summary>Archives segments <paramref name="first"/> to <paramref name="last"/> of <paramref name="timeline"/>, each with a record whose last commit is <see cref="CommitTime"/>.</summary>
    /// <remarks>Each is stored at <paramref name="storedAt"/> (noon when not given), as the listing dates it.</remarks>
    public FakeArchive Segments(uint timeline, ulong first, ulong last, bool withRecords = true, bool withCommits = true, DateTimeOffset? storedAt = null)
    {
        for (var number = first; number <= last; number++)
        {
            var name = Name(timeline, number);
            files.Add((name, storedAt ?? Noon));
            if (!withRecords)
                continue;
            files.Add((name + ".record", storedAt ?? Noon));
            var commit = withCommits ? new WalCommit(CommitTime(timeline, number), (uint)(1000 + number), number * (ulong)SegmentSize + 100) : null;
            records[name] = new WalSegmentRecord { Sha256 = "", SizeBytes = SegmentSize, ArchivedAt = Noon, Commits = commit is null ? 0 : 1, FirstCommit = commit, LastCommit = commit };
        }

        return this;
    }

    /// <summary>Archives the history of <paramref name="timeline"/>, which left <paramref name="parent"/> at <paramref name="switchPoint"/>, stored at <paramref name="storedAt"/> (noon when not given).</summary>
    public FakeArchive History(uint timeline, uint parent, string switchPoint, bool archived = true, DateTimeOffset? storedAt = null)
    {
        var text = $"{parent}\t{switchPoint}\tno recovery target specified\n";
        if (parent > 1)
            text = $"1\t0/1000000\tearlier\n" + text;
        if (!archived)
            return this;
        Histories[timeline] = TimelineHistory.Parse(timeline, text);
        files.Add(($"{timeline:X8}.history", storedAt ?? Noon));
        return this;
    }

    /// <summary>A partial segment of <paramref name="timeline"/>.</summary>
    public FakeArchive Partial(uint timeline, ulong number)
    {
        files.Add((Name(timeline, number) + ".partial", Noon));
        return this;
    }

    /// <summary>
    /// A base backup taken on <paramref name="timeline"/> needing segments <paramref name="first"/> to <paramref name="last"/>,
    /// finished <paramref name="finished"/> minutes after noon; stopped on <paramref name="stopTimeline"/> when a standby
    /// it was taken from was promoted meanwhile.
    /// </summary>
    public FakeArchive Backup(string id, uint timeline, ulong first, ulong last, double finished, uint? stopTimeline = null)
    {
        var info = new BaseBackupInfo
        {
            Label = id,
            StartPosition = new WalPosition(first * (ulong)SegmentSize + 0x28).ToString(),
            StopPosition = new WalPosition(last * (ulong)SegmentSize + 0x100).ToString(),
            Timeline = timeline,
            StopTimeline = stopTimeline,
            FirstSegment = Name(timeline, first),
            LastSegment = Name(stopTimeline ?? timeline, last),
            SystemId = "1",
            ServerVersion = "15.8",
            SegmentSize = SegmentSize,
            Tablespaces = [],
        };
        Backups.Add(new BaseBackupPoint(id, Noon.AddMinutes(finished), info));
        return this;
    }

    public WalArchiveContents Contents() =>
        WalArchiveContents.Of(SegmentSize, files.Select(f => new ObjectInfo(WalArchiveLayout.FileKey("app", WalFileName.TryParse(f.Name.Replace(".record", "", StringComparison.Ordinal))!) + (f.Name.EndsWith(".record", StringComparison.Ordinal) ? ".record" : ""), 10, f.StoredAt)));

    public IReadOnlyList<WalFinding> Gaps() => WalGaps.Find(Contents(), Backups, Histories);

    public Task<RecoverableWindow?> WindowAsync() =>
        RecoverableWindow.FindAsync(Contents(), Backups, LatestTimeline.Of(Histories), (name, _) => Task.FromResult(records.GetValueOrDefault(name.Text)), TestContext.Current.CancellationToken);
}
