using System.Runtime.CompilerServices;
using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Source;
using Lifeboat.Repository;

namespace Lifeboat.Buckets;

/// <summary>
/// One snapshot of a source bucket (design §4.1): the listing, cut into key ranges, is merge-joined with the previous
/// snapshot's index and with what interrupted runs stored; only new versions are read, in parallel, and stored by the
/// SHA-256 of their bytes; the index is sealed from the drafts, and the manifest is committed last, after the content
/// and index it names are durable. A run that stops before that leaves no snapshot, and the next one reuses its work.
/// </summary>
public sealed class BucketBackup(BackupRepository repository, IActivityReporter reporter, string? spillParent = null)
{
    /// <summary>Where runs keep their drafts and outcomes unless told otherwise: keys and metadata, never content.</summary>
    public static string DefaultSpillParent => Path.Combine(Path.GetTempPath(), "lifeboat-buckets");

    /// <summary>
    /// Takes the snapshot and commits its manifest. <paramref name="ownLock"/>, the shared lock the caller took on the
    /// source's scope, makes the run step back while another backup of the source is live.
    /// </summary>
    public async Task<BucketBackupResult> RunAsync(BucketSource source, LockRecord? ownLock, CancellationToken cancellationToken)
    {
        RepositoryLayout.ValidateSourceName(source.Name);
        if (ownLock is not null)
            await SingleRunGuard.EnsureAloneAsync(repository.Store, ownLock, cancellationToken);
        var startedAt = DateTimeOffset.UtcNow;
        var runId = BackupId.New(startedAt);
        using var client = new SourceBucketClient(source.Endpoint);
        // The first request also proves the endpoint, the credentials and the bucket, before anything is written.
        var versioned = await client.IsVersionedAsync(cancellationToken);
        var previous = await PreviousAsync(source, cancellationToken);
        using var spill = SpillDirectory.Create(spillParent ?? DefaultSpillParent, startedAt);
        await using var content = await BucketContentStore.OpenAsync(
            repository, source.Name, runId, spill.Path, (key, e) => reporter.Warning($"{key} is left out: {e.Message}"), cancellationToken: cancellationToken);
        var overlay = await content.FindInterruptedRunsAsync(cancellationToken);
        if (overlay.Runs.Count > 0)
            reporter.Event($"backup {runId}: reusing what {overlay.Runs.Count} interrupted run(s) stored ({overlay.Records} records)");

        var listedAt = DateTimeOffset.UtcNow;
        var ranges = ListingPartitions.Cut(previous?.Index.Root);
        reporter.Event($"backup {runId}: listing {source.Describe()} ({(versioned ? "by version" : "unversioned")}, {ranges.Count} range(s)), {source.Transfers} transfers");
        var tags = new TagReading(previous?.Info.TagCountHeaderSeen == true);
        var transfer = new ObjectTransfer(client, content, tags, versioned);
        await using var outcomes = ReadOutcomeFile.Create(spill);
        var drafts = ranges.Select((_, i) => DraftIndexFile.Create(spill, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        try
        {
            var merge = await MergeAndReadAsync(source, client, previous, overlay, transfer, content, outcomes, ranges, drafts, listedAt, versioned, cancellationToken);
            // Packs, then the catalog naming them, then the journal: all durable before an index names their content.
            await content.FinishAsync(cancellationToken);
            var retention = new NoncurrentRetention(listedAt, source.NoncurrentDays, versioned ? null : previous?.Info.HistoryStartedAt ?? listedAt);
            var seal = await new SnapshotIndexWriter(repository, new BucketIndexLayout(source.Name))
                .SealAsync(drafts, outcomes, retention, previous?.Index, cancellationToken);
            var info = Info(source, versioned, listedAt, retention, seal.Counts, content.NewBytesStored, tags.HeaderSeen);
            var manifest = Manifest(source, runId, startedAt, seal, info, content.NewBytesStored);
            await repository.CommitManifestAsync(manifest, cancellationToken);
            await DeleteJournalsAsync(content, runId);
            reporter.Event($"backup {runId}: committed, {info.Objects} objects ({info.Bytes} bytes), {merge.Reads} read, {info.NewBytesStored} new bytes stored, {seal.Counts.SegmentsUploaded} of {info.IndexSegments} index segments uploaded");
            return new BucketBackupResult(manifest, info, merge, seal.Counts);
        }
        finally
        {
            foreach (var draft in drafts)
                await draft.DisposeAsync();
        }
    }

    private async Task<MergeCounts> MergeAndReadAsync(
        BucketSource source, SourceBucketClient client, PreviousSnapshot? previous, InterruptedRunOverlay overlay, ObjectTransfer transfer,
        BucketContentStore content, ReadOutcomeFile outcomes, IReadOnlyList<KeyRange> ranges, IReadOnlyList<DraftIndexFile> drafts,
        DateTimeOffset listedAt, bool versioned, CancellationToken cancellationToken)
    {
        var reader = new SnapshotIndexReader(repository, new BucketIndexLayout(source.Name));
        var tickets = new ReadTickets();
        var counts = new MergeCounts();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var pool = new TransferPool(source.Transfers, (request, token) => ReadOneAsync(request, transfer, content, outcomes, token), stop.Token);
        var merges = ranges.Select(async (range, i) =>
        {
            try
            {
                var merge = new ListingMerge(new MergeSettings(listedAt, versioned), tickets);
                return await merge.RunAsync(
                    client.ListAsync(range, versioned, stop.Token),
                    previous is null ? None() : reader.ReadRangeAsync(previous.Index.Root, range, stop.Token),
                    OverlayIn(overlay, range, stop.Token),
                    drafts[i],
                    pool.EnqueueAsync,
                    stop.Token);
            }
            catch
            {
                // One partition's failure stops the others and the reads, rather than letting them list on.
                await stop.CancelAsync();
                throw;
            }
        }).ToList();
        try
        {
            foreach (var partition in await Task.WhenAll(merges))
                counts.Add(partition);
        }
        catch (Exception first) when (!cancellationToken.IsCancellationRequested)
        {
            // Report the cause (a read's failure, else a listing's), not the stops that followed it.
            await stop.CancelAsync();
            var cause = pool.Failure
                ?? merges.Select(m => m.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException)
                ?? first;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
        }

        await pool.CompleteAsync();
        return counts;
    }

    private async Task ReadOneAsync(ReadRequest request, ObjectTransfer transfer, BucketContentStore content, ReadOutcomeFile outcomes, CancellationToken cancellationToken)
    {
        var outcome = await transfer.RunAsync(request, cancellationToken);
        if (outcome.IsGone)
        {
            reporter.Warning($"'{request.Entry.Key}' (version {request.Entry.VersionId}) was gone when read; it is recorded as deleted");
        }
        else
        {
            var line = IndexLineFormat.ToLine(ReadRecord.Of(request.Entry, outcome));
            await content.JournalAsync(new JournalEntry(request.Entry.Key, line.AsMemory(0, line.Length - 1)), cancellationToken);
        }

        await outcomes.AppendAsync(outcome, cancellationToken);
    }

    private async Task<PreviousSnapshot?> PreviousAsync(BucketSource source, CancellationToken cancellationToken)
    {
        if (await repository.FindNewestAsync(BucketSnapshotInfo.SourceType, source.Name, cancellationToken, BucketSnapshotInfo.Kind) is not { } manifest)
            return null;
        var info = BucketSnapshotInfo.Of(manifest);
        if (info.Bucket != source.Endpoint.Bucket || (info.Prefix ?? "") != source.Endpoint.Prefix)
        {
            // Another bucket under the same name: its index says nothing about this one, so history starts again here.
            reporter.Warning($"the previous snapshot of '{source.Name}' ({manifest.Id}) is of s3://{info.Bucket}/{info.Prefix}; this run starts a new history");
            return null;
        }

        var root = manifest.Objects.Single(o => o.Role == BucketIndexLayout.RootRole);
        var index = await new SnapshotIndexReader(repository, new BucketIndexLayout(source.Name)).OpenAsync(root, cancellationToken);
        return new PreviousSnapshot(manifest, info, index);
    }

    private async Task DeleteJournalsAsync(BucketContentStore content, BackupId runId)
    {
        try
        {
            await content.DeleteJournalsAsync(CancellationToken.None);
        }
        catch (LifeboatException e)
        {
            // The snapshot is committed; a journal left behind is absorbed (and deleted) by the next run.
            reporter.Warning($"backup {runId}: its journal was not deleted: {e.Message}");
        }
    }

    private static BucketSnapshotInfo Info(
        BucketSource source, bool versioned, DateTimeOffset listedAt, NoncurrentRetention retention, IndexSealCounts counts, long newBytes, bool tagHeaderSeen) => new()
        {
            Bucket = source.Endpoint.Bucket,
            Prefix = source.Endpoint.Prefix.Length == 0 ? null : source.Endpoint.Prefix,
            Versioned = versioned,
            ListedAt = listedAt,
            HistoryFrom = retention.HistoryFrom,
            HistoryStartedAt = retention.HistoryStartedAt,
            NoncurrentDays = retention.NoncurrentDays,
            Objects = counts.Objects,
            Versions = counts.Records,
            Bytes = counts.Bytes,
            NewBytesStored = newBytes,
            IndexSegments = counts.Segments,
            GoneWhileReading = counts.GoneWhileReading,
            GoneWhileReadingKeys = [.. counts.GoneWhileReadingKeys],
            TagCountHeaderSeen = tagHeaderSeen,
        };

    private static BackupManifest Manifest(BucketSource source, BackupId runId, DateTimeOffset startedAt, IndexSealResult seal, BucketSnapshotInfo info, long newBytes) => new()
    {
        Id = runId.Value,
        Source = BucketSnapshotInfo.SourceType,
        Name = source.Name,
        Kind = BucketSnapshotInfo.Kind,
        StartedAt = startedAt,
        FinishedAt = DateTimeOffset.UtcNow,
        Host = Environment.MachineName,
        LifeboatVersion = LifeboatInfo.Version,
        SizeBytes = info.Bytes,
        StoredBytes = newBytes,
        Objects = [seal.RootObject],
        Details = info.ToDetails(),
    };

    private static async IAsyncEnumerable<BucketObjectRecord> OverlayIn(InterruptedRunOverlay overlay, KeyRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in overlay.ReadAsync(cancellationToken))
        {
            if (range.IsBefore(entry.Key))
                continue;
            if (range.IsPast(entry.Key))
                yield break;
            yield return IndexLineFormat.Read(entry.Line.Span, "the journal of an interrupted run");
        }
    }

    private static async IAsyncEnumerable<BucketObjectRecord> None()
    {
        await Task.CompletedTask;
        yield break;
    }

    private sealed record PreviousSnapshot(BackupManifest Manifest, BucketSnapshotInfo Info, SnapshotIndex Index);
}
