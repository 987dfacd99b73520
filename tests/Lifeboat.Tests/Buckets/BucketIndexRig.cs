using System.Security.Cryptography;
using System.Text;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Index;
using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;
using Lifeboat.TestKit.Storage;

namespace Lifeboat.Tests.Buckets;

/// <summary>
/// Package A end to end on a file repository: a run merges a listing with the previous index, "reads" what it must
/// from an in-memory source (pure logic: the content of a version is what the test says), and seals the index.
/// </summary>
public sealed class BucketIndexRig : IAsyncDisposable
{
    private BucketIndexRig(FaultyObjectStore store, BackupRepository repository, SpillDirectory spill)
    {
        Store = store;
        Repository = repository;
        Spill = spill;
    }

    public FaultyObjectStore Store { get; }
    public BackupRepository Repository { get; }
    public SpillDirectory Spill { get; }
    public BucketIndexLayout Layout { get; } = new("assets");
    public SnapshotIndexReader Reader => new(Repository, Layout);

    /// <summary>Content (by key and version id) the fake source serves; absent means 404 at read time.</summary>
    public Dictionary<(string Key, string VersionId), byte[]> Content { get; } = [];

    /// <summary>Keys read by the last run.</summary>
    public List<ReadRequest> LastReads { get; } = [];

    public static async Task<BucketIndexRig> CreateAsync(CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("lifeboat-bidx-").FullName;
        var keyFile = Path.Combine(dir, "repo.key");
        KeyFile.Create(keyFile);
        var store = new FaultyObjectStore(new FileObjectStore(Path.Combine(dir, "repo")));
        var repository = await BackupRepository.InitAsync(store, KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true, chunkSize: 4096), cancellationToken);
        var spill = SpillDirectory.Create(Path.Combine(dir, "spill"), DateTimeOffset.UtcNow);
        return new BucketIndexRig(store, repository, spill) { RigDir = dir };
    }

    private string RigDir { get; init; } = "";

    public static string ShaOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>One backup run: merge in the given partitions, read, seal.</summary>
    public async Task<RunResult> RunAsync(
        IReadOnlyList<ListingEntry> listing,
        DateTimeOffset listedAt,
        bool versioned,
        SnapshotIndex? previous,
        CancellationToken cancellationToken,
        int partitions = 1,
        IReadOnlyList<BucketObjectRecord>? overlay = null,
        int noncurrentDays = 90,
        DateTimeOffset? historyStartedAt = null)
    {
        LastReads.Clear();
        var tickets = new ReadTickets();
        await using var outcomes = ReadOutcomeFile.Create(Spill);
        var ranges = ListingPartitions.Cut(previous?.Root, partitions);
        var drafts = new List<DraftIndexFile>();
        var counts = new MergeCounts();
        try
        {
            foreach (var range in ranges)
            {
                var draft = DraftIndexFile.Create(Spill, drafts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                drafts.Add(draft);
                var merge = new ListingMerge(new MergeSettings(listedAt, versioned), tickets);
                var previousRecords = previous is null ? Empty() : Reader.ReadRangeAsync(previous.Root, range, cancellationToken);
                counts.Add(await merge.RunAsync(
                    Listed(listing.Where(e => range.Contains(e.Key))),
                    previousRecords,
                    Listed((overlay ?? []).Where(r => range.Contains(r.Key))),
                    draft,
                    (request, ct) => ReadAsync(request, outcomes, ct),
                    cancellationToken));
            }

            var retention = new NoncurrentRetention(listedAt, noncurrentDays, historyStartedAt);
            Store.ResetCalls();
            var sealedIndex = await new SnapshotIndexWriter(Repository, Layout).SealAsync(drafts, outcomes, retention, previous, cancellationToken);
            var uploads = Store.Calls.Create;
            var index = await Reader.OpenAsync(sealedIndex.RootObject, cancellationToken);
            var records = new List<BucketObjectRecord>();
            await foreach (var record in Reader.ReadAllAsync(index.Root, cancellationToken))
                records.Add(record);
            return new RunResult(index, sealedIndex, counts, uploads, records);
        }
        finally
        {
            foreach (var draft in drafts)
                await draft.DisposeAsync();
        }
    }

    private async ValueTask ReadAsync(ReadRequest request, ReadOutcomeFile outcomes, CancellationToken cancellationToken)
    {
        LastReads.Add(request);
        var entry = request.Entry;
        if (!Content.TryGetValue((entry.Key, entry.VersionId), out var bytes))
        {
            await outcomes.AppendAsync(ReadOutcome.Gone(request.Ticket), cancellationToken);
            return;
        }

        var attributes = new ObjectAttributes { ContentType = "application/octet-stream", Metadata = new Dictionary<string, string> { ["origin"] = entry.Key.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        await outcomes.AppendAsync(ReadOutcome.Read(request.Ticket, new ContentRef(ShaOf(bytes), bytes.Length, bytes.Length), attributes), cancellationToken);
    }

    public static async IAsyncEnumerable<T> Listed<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
            yield return item;
        await Task.CompletedTask;
    }

    private static async IAsyncEnumerable<BucketObjectRecord> Empty()
    {
        await Task.CompletedTask;
        yield break;
    }

    public async ValueTask DisposeAsync()
    {
        Spill.Dispose();
        await Repository.DisposeAsync();
        Directory.Delete(RigDir, recursive: true);
    }
}

/// <summary>What one rig run produced.</summary>
public sealed record RunResult(SnapshotIndex Index, IndexSealResult Sealed, MergeCounts Merge, int Uploads, IReadOnlyList<BucketObjectRecord> Records)
{
    public IReadOnlyList<BucketObjectRecord> Of(string key) => [.. Records.Where(r => r.Key == key)];
}
