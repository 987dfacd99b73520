namespace Lifeboat.Buckets.Restore;

/// <summary>The counts of a restore (or mirror) as its workers add to them, safe from many threads; becomes the <see cref="RestoreReport"/>.</summary>
internal sealed class RestoreTally
{
    /// <summary>Failures kept with their errors; every one is also reported as it happens.</summary>
    public const int FailuresKept = 100;

    private readonly List<RestoreFailure> _failures = [];
    private long _restored;
    private long _restoredBytes;
    private long _skipped;
    private long _fixed;
    private long _removed;
    private long _extraKept;
    private long _failed;
    private long _gone;

    /// <summary>Bytes written so far (for progress).</summary>
    public long RestoredBytes => Interlocked.Read(ref _restoredBytes);

    /// <summary><paramref name="count"/> objects written, of <paramref name="bytes"/> bytes together.</summary>
    public void Restored(long bytes, long count = 1)
    {
        Interlocked.Add(ref _restored, count);
        Interlocked.Add(ref _restoredBytes, bytes);
    }

    /// <summary>One object left as the target held it.</summary>
    public void Skipped() => Interlocked.Increment(ref _skipped);

    /// <summary>One object whose metadata, tags or storage class were rewritten.</summary>
    public void Fixed() => Interlocked.Increment(ref _fixed);

    /// <summary><paramref name="count"/> objects removed.</summary>
    public void Removed(long count) => Interlocked.Add(ref _removed, count);

    /// <summary><paramref name="count"/> objects the snapshot lacks, left in place.</summary>
    public void ExtraKept(long count) => Interlocked.Add(ref _extraKept, count);

    /// <summary>One object the source no longer had when it was read (a mirror): neither written nor a failure.</summary>
    public void Gone() => Interlocked.Increment(ref _gone);

    /// <summary>One object not restored or not removed.</summary>
    public void Failed(RestoreFailure failure)
    {
        Interlocked.Increment(ref _failed);
        lock (_failures)
        {
            if (_failures.Count < FailuresKept)
                _failures.Add(failure);
        }
    }

    /// <summary>The counts so far.</summary>
    public TallyCounts Counts()
    {
        lock (_failures)
        {
            return new TallyCounts(
                Interlocked.Read(ref _restored),
                Interlocked.Read(ref _restoredBytes),
                Interlocked.Read(ref _skipped),
                Interlocked.Read(ref _fixed),
                Interlocked.Read(ref _removed),
                Interlocked.Read(ref _extraKept),
                Interlocked.Read(ref _gone),
                Interlocked.Read(ref _failed),
                // Workers finish in any order; the report lists keys in order.
                [.. _failures.OrderBy(f => f.Key, Storage.ObjectKeyComparer.Instance)]);
        }
    }

    /// <summary>The report of the counts so far.</summary>
    public RestoreReport ToReport(string snapshotId, DateTimeOffset? asOf, string target, bool dryRun)
    {
        var counts = Counts();
        return new RestoreReport
        {
            SnapshotId = snapshotId,
            AsOf = asOf,
            Target = target,
            DryRun = dryRun,
            Restored = counts.Written,
            RestoredBytes = counts.WrittenBytes,
            SkippedUnchanged = counts.Skipped,
            MetadataFixed = counts.Fixed,
            Removed = counts.Removed,
            ExtraKept = counts.ExtraKept,
            Failed = counts.Failed,
            Failures = counts.Failures,
        };
    }
}
