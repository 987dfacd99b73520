namespace Lifeboat.Buckets.Index;

/// <summary>
/// Cuts the key range into partitions that can be listed in parallel, at segment boundaries of the previous root and
/// balanced by its record counts. Partition i covers (aᵢ, aᵢ₊₁]: it lists with StartAfter = aᵢ and stops past aᵢ₊₁. A
/// first run has no root, and lists in one partition.
/// </summary>
public static class ListingPartitions
{
    /// <summary>Partitions by default (design §4.5).</summary>
    public const int DefaultCount = 4;

    /// <summary>At most <paramref name="count"/> ranges that together cover every key, in key order.</summary>
    public static IReadOnlyList<KeyRange> Cut(IndexRoot? previous, int count = DefaultCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (previous is null || previous.Segments.Count < 2 || count == 1)
            return [KeyRange.All];

        var total = previous.Records;
        var boundaries = new List<string>();
        long seen = 0;
        var next = 1;
        // The last segment's end is never a boundary: the last partition is open-ended, for keys added after it.
        foreach (var segment in previous.Segments.Take(previous.Segments.Count - 1))
        {
            seen += segment.Records;
            if (next < count && seen * count >= total * next)
            {
                boundaries.Add(segment.LastKey);
                while (next < count && seen * count >= total * next)
                    next++;
            }
        }

        var ranges = new List<KeyRange>(boundaries.Count + 1);
        string? start = null;
        foreach (var boundary in boundaries)
        {
            ranges.Add(new KeyRange(start, boundary));
            start = boundary;
        }

        ranges.Add(new KeyRange(start, null));
        return ranges;
    }
}
