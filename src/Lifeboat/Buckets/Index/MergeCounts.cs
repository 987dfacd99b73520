namespace Lifeboat.Buckets.Index;

/// <summary>What one partition's merge decided.</summary>
public sealed record MergeCounts
{
    /// <summary>Listing rows seen.</summary>
    public long Listed { get; set; }

    /// <summary>Rows the previous index already held.</summary>
    public long Unchanged { get; set; }

    /// <summary>Rows an interrupted run had already read.</summary>
    public long ReusedFromInterruptedRuns { get; set; }

    /// <summary>Rows sent to be read.</summary>
    public long Reads { get; set; }

    /// <summary>New delete markers, recorded from the listing alone.</summary>
    public long NewDeleteMarkers { get; set; }

    /// <summary>Previous records the listing no longer has, carried forward as history.</summary>
    public long Carried { get; set; }

    /// <summary>Delete markers made for keys gone from an unversioned source.</summary>
    public long Synthesized { get; set; }

    /// <summary>Adds <paramref name="other"/> to these counts (partitions summed).</summary>
    public void Add(MergeCounts other)
    {
        Listed += other.Listed;
        Unchanged += other.Unchanged;
        ReusedFromInterruptedRuns += other.ReusedFromInterruptedRuns;
        Reads += other.Reads;
        NewDeleteMarkers += other.NewDeleteMarkers;
        Carried += other.Carried;
        Synthesized += other.Synthesized;
    }
}
