namespace Lifeboat.Buckets.Index;

/// <summary>
/// How long history is kept: a record that stopped being current more than <see cref="NoncurrentDays"/> before the
/// run's listing is dropped at seal, and so is a delete marker with nothing older left. What remains makes an as-of
/// restore exact for every moment from <see cref="HistoryFrom"/> on.
/// </summary>
public sealed record NoncurrentRetention
{
    /// <summary>The plan's 90 days.</summary>
    public const int DefaultNoncurrentDays = 90;

    /// <summary>Keeps <paramref name="noncurrentDays"/> of history as of the listing at <paramref name="listedAt"/>.</summary>
    /// <param name="listedAt">When the run's listing began.</param>
    /// <param name="noncurrentDays">Days a record is kept after it stopped being current.</param>
    /// <param name="historyStartedAt">
    /// The first moment this chain of snapshots knows: the first snapshot's listing time for an unversioned source
    /// (what changed before it was never seen), null for a versioned one (its listing brings the history it holds).
    /// </param>
    public NoncurrentRetention(DateTimeOffset listedAt, int noncurrentDays, DateTimeOffset? historyStartedAt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(noncurrentDays);
        ListedAt = listedAt;
        NoncurrentDays = noncurrentDays;
        HistoryStartedAt = historyStartedAt;
    }

    /// <summary>When the run's listing began.</summary>
    public DateTimeOffset ListedAt { get; }

    /// <summary>Days a record is kept after it stopped being current.</summary>
    public int NoncurrentDays { get; }

    /// <summary>The first moment the snapshots know of; null when the source's own history reaches further.</summary>
    public DateTimeOffset? HistoryStartedAt { get; }

    /// <summary>Records that stopped being current before this are dropped.</summary>
    public DateTimeOffset Cutoff => ListedAt - TimeSpan.FromDays(NoncurrentDays);

    /// <summary>The oldest moment an as-of restore from this snapshot is exact for.</summary>
    public DateTimeOffset HistoryFrom => HistoryStartedAt is { } start && start > Cutoff ? start : Cutoff;

    /// <summary>Drops from <paramref name="group"/> (one key, newest first) what is past keeping; returns how many.</summary>
    public int Trim(List<BucketObjectRecord> group)
    {
        var before = group.Count;
        var noncurrentSince = new DateTimeOffset?[group.Count];
        for (var i = 0; i < group.Count; i++)
            noncurrentSince[i] = NoncurrentSince(group, i);
        var kept = group.Where((_, i) => noncurrentSince[i] is not { } since || since >= Cutoff).ToList();
        // A delete marker with nothing older hides nothing: as of any moment the key is absent with or without it.
        while (kept.Count > 0 && kept[^1].DeleteMarker)
            kept.RemoveAt(kept.Count - 1);
        group.Clear();
        group.AddRange(kept);
        return before - group.Count;
    }

    /// <summary>
    /// When the record at <paramref name="index"/> stopped being current: when the next newer record appeared, or when
    /// a run first missed it at the source, whichever came first; null while it is current.
    /// </summary>
    public static DateTimeOffset? NoncurrentSince(IReadOnlyList<BucketObjectRecord> group, int index)
    {
        DateTimeOffset? replaced = index > 0 ? group[index - 1].LastModified : null;
        var gone = group[index].GoneFromSourceAt;
        if (replaced is null)
            return gone;
        return gone is { } g && g < replaced ? g : replaced;
    }
}
