using System.Runtime.CompilerServices;

namespace Lifeboat.Buckets.Index;

/// <summary>
/// A bucket's state from one snapshot's records: as of a moment, or as the snapshot's run listed it. As of T, a key is
/// its newest record with last-modified ≤ T that the source still held at T (no goneFromSourceAt ≤ T); it is absent
/// when that record is a delete marker or there is none. Streams one key group at a time.
/// </summary>
public static class PointInTimeView
{
    /// <summary>The objects (never delete markers) as of <paramref name="asOf"/>, in key order.</summary>
    public static async IAsyncEnumerable<BucketObjectRecord> AsOfAsync(
        IAsyncEnumerable<BucketObjectRecord> records, DateTimeOffset asOf, RecordFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var group in KeyGroups.Of(records, "the snapshot index", cancellationToken))
        {
            if (filter.Takes(group[0].Key) && StateAt(group, asOf) is { } record)
                yield return record;
        }
    }

    /// <summary>The objects the snapshot's run listed as current, in key order.</summary>
    public static async IAsyncEnumerable<BucketObjectRecord> AtSnapshotAsync(
        IAsyncEnumerable<BucketObjectRecord> records, RecordFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            if (record.Latest && !record.DeleteMarker && filter.Takes(record.Key))
                yield return record;
        }
    }

    /// <summary>The object one key group (newest first) held at <paramref name="asOf"/>, or null when it was absent.</summary>
    public static BucketObjectRecord? StateAt(IReadOnlyList<BucketObjectRecord> group, DateTimeOffset asOf)
    {
        foreach (var record in group)
        {
            if (record.LastModified > asOf || record.GoneFromSourceAt <= asOf)
                continue;
            return record.DeleteMarker ? null : record;
        }

        return null;
    }

    /// <summary>
    /// The record of one key group a version names: a source version id, or (for history Lifeboat keeps of an
    /// unversioned source) at least 8 hex digits of the content's SHA-256. Null when none matches; the newest wins.
    /// </summary>
    public static BucketObjectRecord? FindVersion(IReadOnlyList<BucketObjectRecord> group, string version)
    {
        if (group.FirstOrDefault(r => !r.DeleteMarker && r.VersionId == version && version != BucketObjectRecord.NullVersion) is { } byId)
            return byId;
        if (version.Length < 8 || version.AsSpan().ContainsAnyExcept("0123456789abcdef"))
            return null;
        return group.FirstOrDefault(r => r.Sha256?.StartsWith(version, StringComparison.Ordinal) == true);
    }
}
