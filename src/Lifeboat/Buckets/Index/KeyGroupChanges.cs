namespace Lifeboat.Buckets.Index;

/// <summary>
/// The change rules (docs/FORMAT.md, buckets; design §3) for one key group. A listed version whose id is in the
/// previous index is unchanged, as versions are immutable; a null version is unchanged when size, ETag and
/// last-modified are all equal. A version an interrupted run read, with that same identity, is reused. Delete markers
/// need no read. What the listing lacks is carried forward as history, and a key gone from an unversioned source gets a
/// synthesized delete marker. Nothing here makes a request, so an unchanged object costs only its listing row.
/// </summary>
public static class KeyGroupChanges
{
    /// <summary>The group's records in draft order: listed rows in listing order, then what is carried forward.</summary>
    public static List<MergeStep> Apply(KeyGroup group, MergeSettings settings, MergeCounts counts)
    {
        var steps = new List<MergeStep>(group.Listed.Count + group.Previous.Count);
        var matched = new bool[group.Previous.Count];
        foreach (var entry in group.Listed)
        {
            counts.Listed++;
            steps.Add(Decide(entry, group, matched, counts));
        }

        for (var i = 0; i < group.Previous.Count; i++)
        {
            if (matched[i])
                continue;
            counts.Carried++;
            steps.Add(new MergeStep(Carry(group.Previous[i], group.Listed.Count > 0, settings.ListedAt)));
        }

        if (NeedsSynthesizedMarker(group, settings))
        {
            counts.Synthesized++;
            steps.Add(new MergeStep(SynthesizedMarker(group.Key, settings.ListedAt)));
        }

        return steps;
    }

    private static MergeStep Decide(ListingEntry entry, KeyGroup group, bool[] matched, MergeCounts counts)
    {
        var previous = FindPrevious(entry, group.Previous, matched);
        if (previous >= 0)
        {
            matched[previous] = true;
            counts.Unchanged++;
            return new MergeStep(Refresh(group.Previous[previous], entry));
        }

        if (entry.IsDeleteMarker)
        {
            counts.NewDeleteMarkers++;
            return new MergeStep(FromListing(entry));
        }

        if (group.Overlay.FirstOrDefault(r => IsSameUpload(r, entry)) is { } reused)
        {
            counts.ReusedFromInterruptedRuns++;
            return new MergeStep(Refresh(reused, entry));
        }

        counts.Reads++;
        return new MergeStep(FromListing(entry), entry);
    }

    private static int FindPrevious(ListingEntry entry, IReadOnlyList<BucketObjectRecord> previous, bool[] matched)
    {
        for (var i = 0; i < previous.Count; i++)
        {
            if (!matched[i] && IsSameVersion(previous[i], entry))
                return i;
        }

        return -1;
    }

    private static bool IsSameVersion(BucketObjectRecord record, ListingEntry entry)
    {
        if (record.Synthesized || record.DeleteMarker != entry.IsDeleteMarker || record.VersionId != entry.VersionId)
            return false;
        if (entry.VersionId != BucketObjectRecord.NullVersion)
            return true;
        if (entry.IsDeleteMarker)
            return IndexTime.Same(record.LastModified, entry.LastModified);
        return record.Size == entry.Size && record.ETag == entry.ETag && IsSameTime(record.LastModified, entry.LastModified);
    }

    // A record whose object was replaced between listing and read holds the GET's Last-Modified, in whole seconds;
    // the listing has milliseconds. The same second, size and ETag is that very upload, so it needs no second read.
    private static bool IsSameTime(DateTimeOffset recorded, DateTimeOffset listed) =>
        IndexTime.Same(recorded, listed)
        || (recorded.Millisecond == 0 && recorded == TruncateToSecond(listed));

    private static DateTimeOffset TruncateToSecond(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static bool IsSameUpload(BucketObjectRecord record, ListingEntry entry) =>
        !record.DeleteMarker && record.Sha256 is not null && record.VersionId == entry.VersionId
        && record.Size == entry.Size && record.ETag == entry.ETag && IndexTime.Same(record.LastModified, entry.LastModified);

    private static BucketObjectRecord Refresh(BucketObjectRecord record, ListingEntry entry) => record with
    {
        Latest = entry.IsLatest,
        LastModified = IndexTime.Truncate(entry.LastModified),
        GoneFromSourceAt = null,
        Attributes = record.Attributes.StorageClass == entry.StorageClass ? record.Attributes : record.Attributes with { StorageClass = entry.StorageClass },
    };

    private static BucketObjectRecord FromListing(ListingEntry entry) => new()
    {
        Key = entry.Key,
        VersionId = entry.VersionId,
        Latest = entry.IsLatest,
        DeleteMarker = entry.IsDeleteMarker,
        LastModified = IndexTime.Truncate(entry.LastModified),
        Size = entry.IsDeleteMarker ? 0 : entry.Size,
        ETag = entry.IsDeleteMarker ? null : entry.ETag,
        Attributes = entry.StorageClass is null ? ObjectAttributes.None : new ObjectAttributes { StorageClass = entry.StorageClass },
    };

    private static BucketObjectRecord Carry(BucketObjectRecord record, bool keyListed, DateTimeOffset listedAt)
    {
        // Lifeboat's own marker stays the key's current state until the key is back.
        if (record.Synthesized)
            return record.Latest && keyListed ? record with { Latest = false } : record;
        return record with { Latest = false, GoneFromSourceAt = record.GoneFromSourceAt ?? IndexTime.Truncate(listedAt) };
    }

    private static bool NeedsSynthesizedMarker(KeyGroup group, MergeSettings settings) =>
        !settings.VersionedListing && group.Listed.Count == 0 && group.Previous.Count > 0 && !group.Previous[0].DeleteMarker;

    private static BucketObjectRecord SynthesizedMarker(string key, DateTimeOffset listedAt) => new()
    {
        Key = key,
        VersionId = BucketObjectRecord.NullVersion,
        Latest = true,
        DeleteMarker = true,
        LastModified = IndexTime.Truncate(listedAt),
        Synthesized = true,
    };
}
