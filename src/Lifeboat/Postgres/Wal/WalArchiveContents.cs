using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// What one source's WAL archive holds, from a single listing: the segment numbers stored per timeline, the partial
/// segments and the timelines with a history file. Reading no object, it is what restore, list and check plan with.
/// </summary>
public sealed class WalArchiveContents
{
    private readonly Dictionary<uint, SortedSet<ulong>> segments = [];
    private readonly Dictionary<uint, SortedSet<ulong>> partials = [];
    private readonly SortedSet<uint> histories = [];
    private readonly Dictionary<uint, HashSet<ulong>> records = [];
    private readonly Dictionary<(uint Timeline, ulong Number), DateTimeOffset> archivedAt = [];
    private readonly Dictionary<uint, DateTimeOffset> historyArchivedAt = [];

    private WalArchiveContents(long segmentSize) => SegmentSize = segmentSize;

    /// <summary>The cluster's WAL segment size, which turns names into numbers.</summary>
    public long SegmentSize { get; }

    /// <summary>Every timeline with at least one segment, partial segment or history file, in order.</summary>
    public IReadOnlyList<uint> Timelines => [.. segments.Keys.Concat(partials.Keys).Concat(histories).Distinct().Order()];

    /// <summary>Bytes stored for the whole archive: segments, records, history files, everything under its folder.</summary>
    public long StoredBytes { get; private set; }

    /// <summary>Lists <paramref name="sourceName"/>'s archive once.</summary>
    public static async Task<WalArchiveContents> ListAsync(BackupRepository repository, string sourceName, long segmentSize, CancellationToken cancellationToken)
    {
        var contents = new WalArchiveContents(segmentSize);
        await foreach (var item in repository.Store.ListAsync(WalArchiveLayout.Root(sourceName), cancellationToken))
            contents.Add(item);
        return contents;
    }

    /// <summary>The contents a listing of an archive's folder returned (<paramref name="items"/>), for code that already has one.</summary>
    public static WalArchiveContents Of(long segmentSize, IEnumerable<ObjectInfo> items)
    {
        var contents = new WalArchiveContents(segmentSize);
        foreach (var item in items)
            contents.Add(item);
        return contents;
    }

    /// <summary>The running numbers of the whole segments archived on <paramref name="timeline"/>, in order.</summary>
    public IReadOnlySet<ulong> Segments(uint timeline) => segments.GetValueOrDefault(timeline) ?? [];

    /// <summary>The running numbers of the partial segments (the last, unfinished segment of a timeline that was switched away from).</summary>
    public IReadOnlySet<ulong> Partials(uint timeline) => partials.GetValueOrDefault(timeline) ?? [];

    /// <summary>True when the whole segment <paramref name="number"/> of <paramref name="timeline"/> is archived.</summary>
    public bool Has(uint timeline, ulong number) => segments.TryGetValue(timeline, out var set) && set.Contains(number);

    /// <summary>True when the record beside the whole segment <paramref name="number"/> of <paramref name="timeline"/> is archived.</summary>
    public bool HasRecord(uint timeline, ulong number) => records.TryGetValue(timeline, out var set) && set.Contains(number);

    /// <summary>True when the history file of <paramref name="timeline"/> is archived.</summary>
    public bool HasHistory(uint timeline) => histories.Contains(timeline);

    /// <summary>When the whole segment <paramref name="number"/> of <paramref name="timeline"/> was stored, as the listing dates it; null when it is not archived.</summary>
    public DateTimeOffset? ArchivedAt(uint timeline, ulong number) => archivedAt.TryGetValue((timeline, number), out var at) ? at : null;

    /// <summary>When the history file of <paramref name="timeline"/> was stored (the timeline began just before), as the listing dates it; null when it is not archived.</summary>
    public DateTimeOffset? HistoryArchivedAt(uint timeline) => historyArchivedAt.TryGetValue(timeline, out var at) ? at : null;

    /// <summary>The segment file name of <paramref name="number"/> on <paramref name="timeline"/>.</summary>
    public WalFileName NameOf(uint timeline, ulong number) => WalFileName.OfNumber(timeline, number, SegmentSize);

    private void Add(ObjectInfo item)
    {
        StoredBytes += item.Size;
        var fileName = Path.GetFileName(item.Key);
        if (fileName.EndsWith(RecordSuffix, StringComparison.Ordinal) && WalFileName.TryParse(fileName[..^RecordSuffix.Length]) is { Kind: WalFileKind.Segment } recorded)
        {
            if (!records.TryGetValue(recorded.Timeline, out var set))
                records[recorded.Timeline] = set = [];
            set.Add(recorded.Number(SegmentSize));
            return;
        }

        Add(fileName, item.LastModified);
    }

    private const string RecordSuffix = ".record";

    private void Add(string fileName, DateTimeOffset storedAt)
    {
        switch (WalFileName.TryParse(fileName))
        {
            case { Kind: WalFileKind.Segment } name:
                Set(segments, name.Timeline).Add(name.Number(SegmentSize));
                archivedAt[(name.Timeline, name.Number(SegmentSize))] = storedAt;
                break;
            case { Kind: WalFileKind.Partial } name:
                Set(partials, name.Timeline).Add(name.Number(SegmentSize));
                break;
            case { Kind: WalFileKind.History } name:
                histories.Add(name.Timeline);
                historyArchivedAt[name.Timeline] = storedAt;
                break;
            default:
                // Records, backup labels and the identity: not files recovery asks for by number.
                break;
        }
    }

    private static SortedSet<ulong> Set(Dictionary<uint, SortedSet<ulong>> sets, uint timeline)
    {
        if (!sets.TryGetValue(timeline, out var set))
            sets[timeline] = set = [];
        return set;
    }
}
