namespace Lifeboat.Buckets.Index;

/// <summary>
/// One key's history for 'versions': the source's own versions joined with Lifeboat's records, by version id (or, for
/// the null version, by size, ETag and time), newest first. A version only Lifeboat still holds is shown as such.
/// </summary>
public static class KeyHistory
{
    /// <summary>Joins <paramref name="source"/> (the source's rows of the key) with <paramref name="lifeboat"/> (the index's group).</summary>
    public static IReadOnlyList<KeyVersion> Merge(IReadOnlyList<ListingEntry> source, IReadOnlyList<BucketObjectRecord> lifeboat)
    {
        var rows = new List<KeyVersion>(source.Count + lifeboat.Count);
        var matched = new bool[lifeboat.Count];
        foreach (var entry in source)
        {
            var at = Find(entry, lifeboat, matched);
            var record = at >= 0 ? lifeboat[at] : null;
            if (at >= 0)
                matched[at] = true;
            rows.Add(new KeyVersion(
                entry.VersionId, entry.LastModified, entry.Size, record?.Sha256, entry.IsDeleteMarker,
                StateOf(entry.IsDeleteMarker, entry.IsLatest), AtSource: true, InLifeboat: record is not null));
        }

        for (var i = 0; i < lifeboat.Count; i++)
        {
            if (matched[i])
                continue;
            var record = lifeboat[i];
            rows.Add(new KeyVersion(
                record.VersionId, record.LastModified, record.Size, record.Sha256, record.DeleteMarker,
                StateOf(record.DeleteMarker, record.Latest), AtSource: false, InLifeboat: true, record.Synthesized));
        }

        return [.. rows.OrderByDescending(r => r.LastModified)];
    }

    private static VersionState StateOf(bool deleteMarker, bool latest) =>
        deleteMarker ? VersionState.DeleteMarker : latest ? VersionState.Current : VersionState.NonCurrent;

    private static int Find(ListingEntry entry, IReadOnlyList<BucketObjectRecord> records, bool[] matched)
    {
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (matched[i] || r.Synthesized || r.VersionId != entry.VersionId || r.DeleteMarker != entry.IsDeleteMarker)
                continue;
            if (entry.VersionId != BucketObjectRecord.NullVersion
                || (r.Size == entry.Size && r.ETag == entry.ETag && IndexTime.Same(r.LastModified, entry.LastModified)))
                return i;
        }

        return -1;
    }
}

/// <summary>One version of a key as 'versions' shows it.</summary>
/// <param name="VersionId">The source's version id, or "null".</param>
/// <param name="LastModified">When it was written.</param>
/// <param name="Size">Bytes; 0 for a delete marker.</param>
/// <param name="Sha256">Its content's SHA-256 when Lifeboat holds it.</param>
/// <param name="DeleteMarker">A delete marker.</param>
/// <param name="State">Current, non-current or delete marker.</param>
/// <param name="AtSource">The source still holds it (false: expired, deleted, or overwritten there).</param>
/// <param name="InLifeboat">The newest snapshot holds it.</param>
/// <param name="Synthesized">A delete marker Lifeboat made for a key gone from an unversioned source.</param>
public sealed record KeyVersion(
    string VersionId, DateTimeOffset LastModified, long Size, string? Sha256, bool DeleteMarker, VersionState State, bool AtSource, bool InLifeboat, bool Synthesized = false);

/// <summary>A version's place in its key's history.</summary>
public enum VersionState
{
    /// <summary>The key's current object.</summary>
    Current,

    /// <summary>An older version.</summary>
    NonCurrent,

    /// <summary>A delete marker.</summary>
    DeleteMarker,
}
