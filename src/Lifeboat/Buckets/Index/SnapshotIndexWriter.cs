using System.Runtime.CompilerServices;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.Index;

/// <summary>
/// Seals a run's index: drafts (in partition order) and read outcomes become records, retention trims them, and the
/// records are cut into content-addressed segments under a content-addressed root. Only segments the previous root
/// lacks are uploaded, and the root only when it differs, so a run that changed nothing uploads nothing here.
/// </summary>
public sealed class SnapshotIndexWriter(BackupRepository repository, BucketIndexLayout layout)
{
    /// <summary>Segments uploaded at once.</summary>
    public const int UploadsAtOnce = 4;

    /// <summary>Seals the index; the returned root object is what the snapshot's manifest lists.</summary>
    public async Task<IndexSealResult> SealAsync(
        IReadOnlyList<DraftIndexFile> drafts, ReadOutcomeFile outcomes, NoncurrentRetention retention, SnapshotIndex? previous, CancellationToken cancellationToken)
    {
        var counts = new IndexSealCounts();
        var fill = new PendingRecordFill(outcomes, retention.ListedAt, counts);
        var builder = new IndexSegmentBuilder();
        var segments = new List<IndexSegment>();
        var uploads = new List<Task>();

        await using (var groups = await GroupCursor<DraftEntry>.OpenAsync(ReadAllAsync(drafts, cancellationToken), e => e.Record.Key, "the draft index", cancellationToken))
        {
            while (groups.NextKey is { } key)
            {
                var records = await fill.ResolveAsync(await groups.TakeAsync(key), cancellationToken);
                counts.Trimmed += retention.Trim(records);
                foreach (var record in records)
                    Add(builder, record, counts);
                if (records.Count > 0 && IndexSegmentBoundary.EndsAfter(key, builder.Records))
                    await CutAsync(builder, segments, uploads, previous, counts, cancellationToken);
            }
        }

        await CutAsync(builder, segments, uploads, previous, counts, cancellationToken);
        await Task.WhenAll(uploads);
        var root = new IndexRoot(segments);
        counts.Segments = segments.Count;
        return new IndexSealResult(await StoreRootAsync(root, previous, counts, cancellationToken), root, counts);
    }

    private static void Add(IndexSegmentBuilder builder, BucketObjectRecord record, IndexSealCounts counts)
    {
        builder.Add(record);
        counts.Records++;
        if (!record.Latest || record.DeleteMarker)
            return;
        counts.Objects++;
        counts.Bytes += record.Size;
    }

    private async Task CutAsync(
        IndexSegmentBuilder builder, List<IndexSegment> segments, List<Task> uploads, SnapshotIndex? previous, IndexSealCounts counts, CancellationToken cancellationToken)
    {
        if (builder.Cut() is not var (segment, bytes))
            return;
        segments.Add(segment);
        if (previous?.HasSegment(segment.Sha256) == true)
            return;
        counts.SegmentsUploaded++;
        if (uploads.Count >= UploadsAtOnce)
        {
            var done = await Task.WhenAny(uploads);
            uploads.Remove(done);
            await done;
        }

        uploads.Add(PutAsync(layout.SegmentKey(segment.Sha256), BucketIndexLayout.SegmentRole, bytes, cancellationToken));
    }

    private async Task<StoredObject> StoreRootAsync(IndexRoot root, SnapshotIndex? previous, IndexSealCounts counts, CancellationToken cancellationToken)
    {
        var bytes = root.ToJson();
        var name = IndexRoot.NameOf(bytes);
        if (previous?.RootObject.Sha256 == name)
            return previous.RootObject;
        counts.RootUploaded = true;
        return await PutAsync(layout.RootKey(name), BucketIndexLayout.RootRole, bytes, cancellationToken);
    }

    private async Task<StoredObject> PutAsync(string key, string role, byte[] bytes, CancellationToken cancellationToken)
    {
        await using var writer = await repository.CreateObjectAsync(key, role, cancellationToken);
        await writer.Stream.WriteAsync(bytes, cancellationToken);
        return await writer.CompleteAsync(cancellationToken);
    }

    private static async IAsyncEnumerable<DraftEntry> ReadAllAsync(IReadOnlyList<DraftIndexFile> drafts, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var draft in drafts)
        {
            await foreach (var entry in draft.ReadAsync(cancellationToken))
                yield return entry;
        }
    }
}

/// <summary>A sealed index: the root object for the manifest, its segment table, and what sealing counted.</summary>
/// <param name="RootObject">The root, as the manifest lists it (the previous one when nothing changed).</param>
/// <param name="Root">The segment table.</param>
/// <param name="Counts">Records, objects, bytes, uploads and reads found gone.</param>
public sealed record IndexSealResult(StoredObject RootObject, IndexRoot Root, IndexSealCounts Counts);
