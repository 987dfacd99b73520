using System.Runtime.CompilerServices;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.Index;

/// <summary>
/// Streams a snapshot's records: all of them, a key range, or one key's group. Segments are read one at a time and
/// verified (length and SHA-256 against the root); the order, and each segment's keys and count, are checked too.
/// </summary>
public sealed class SnapshotIndexReader(BackupRepository repository, BucketIndexLayout layout)
{
    /// <summary>Reads the root a manifest names.</summary>
    public async Task<SnapshotIndex> OpenAsync(StoredObject rootObject, CancellationToken cancellationToken)
    {
        await using var stream = await repository.OpenObjectAsync(rootObject, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return new SnapshotIndex(rootObject, IndexRoot.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), rootObject.Key));
    }

    /// <summary>Every record, in index order.</summary>
    public IAsyncEnumerable<BucketObjectRecord> ReadAllAsync(IndexRoot root, CancellationToken cancellationToken) =>
        ReadRangeAsync(root, KeyRange.All, cancellationToken);

    /// <summary>The records whose keys lie in <paramref name="range"/>, reading only the segments that may hold them.</summary>
    public async IAsyncEnumerable<BucketObjectRecord> ReadRangeAsync(IndexRoot root, KeyRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? previous = null;
        foreach (var segment in root.Segments.Where(s => range.Overlaps(s.FirstKey, s.LastKey)))
        {
            await foreach (var record in ReadSegmentAsync(segment, cancellationToken))
            {
                KeyOrder.Check(previous, record.Key, $"index segment '{layout.SegmentKey(segment.Sha256)}'");
                previous = record.Key;
                if (range.IsBefore(record.Key))
                    continue;
                if (range.IsPast(record.Key))
                    yield break;
                yield return record;
            }
        }
    }

    /// <summary>The records of <paramref name="key"/>, newest first; empty when the index does not hold it.</summary>
    public async Task<IReadOnlyList<BucketObjectRecord>> ReadKeyAsync(IndexRoot root, string key, CancellationToken cancellationToken)
    {
        var found = new List<BucketObjectRecord>();
        var range = new KeyRange(null, key);
        await foreach (var record in ReadRangeAsync(root, range with { StartAfter = KeyBefore(root, key) }, cancellationToken))
        {
            if (record.Key == key)
                found.Add(record);
        }

        return found;
    }

    // The last key of the segment before the one that may hold the key: a group never spans segments.
    private static string? KeyBefore(IndexRoot root, string key) =>
        root.Segments.LastOrDefault(s => Storage.ObjectKeyComparer.Instance.Compare(s.LastKey, key) < 0)?.LastKey;

    private async IAsyncEnumerable<BucketObjectRecord> ReadSegmentAsync(IndexSegment segment, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var key = layout.SegmentKey(segment.Sha256);
        var stored = new StoredObject(key, BucketIndexLayout.SegmentRole, segment.Bytes, 0, segment.Sha256);
        await using var stream = await repository.OpenObjectAsync(stored, cancellationToken);
        var lines = new LineReader(stream);
        long count = 0;
        string? first = null, last = null;
        while (await lines.ReadLineAsync(cancellationToken) is { } line)
        {
            var record = IndexLineFormat.Read(line.Span, key);
            first ??= record.Key;
            last = record.Key;
            count++;
            yield return record;
        }

        if (count != segment.Records || first != segment.FirstKey || last != segment.LastKey)
        {
            throw new DamagedRecordException(
                $"index segment '{key}' holds {count} records from '{first}' to '{last}', but its root says {segment.Records} from '{segment.FirstKey}' to '{segment.LastKey}'")
            {
                Remedy = new(RemedyAction.FindDamagedObjects),
            };
        }
    }
}
