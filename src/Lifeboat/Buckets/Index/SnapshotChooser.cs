namespace Lifeboat.Buckets.Index;

/// <summary>
/// Picks the snapshot an as-of restore reads: the newest whose exact history reaches back to the moment (normally the
/// latest, which knows the most). None reaching back is an error naming the oldest moment held.
/// </summary>
public static class SnapshotChooser
{
    /// <summary>Chooses among <paramref name="snapshots"/> (any order) for <paramref name="asOf"/>; <paramref name="name"/> names the source in errors.</summary>
    public static SnapshotChoice Choose(IReadOnlyList<SnapshotCandidate> snapshots, DateTimeOffset asOf, string name)
    {
        if (snapshots.Count == 0)
            throw new LifeboatException($"bucket '{name}' has no snapshot", "take a backup first", FailureKind.Usage);
        var reaching = snapshots.Where(s => s.Info.HistoryFrom <= asOf).MaxBy(s => s.Info.ListedAt);
        if (reaching is null)
        {
            var oldest = snapshots.Min(s => s.Info.HistoryFrom);
            throw new LifeboatException(
                $"no snapshot of bucket '{name}' holds its state at {IndexTime.ToText(asOf)}; the oldest moment held is {IndexTime.ToText(oldest)}",
                "choose a later moment",
                FailureKind.Usage);
        }

        return new SnapshotChoice(reaching, asOf > reaching.Info.ListedAt);
    }
}

/// <summary>A snapshot the chooser may pick.</summary>
/// <param name="Id">The backup id.</param>
/// <param name="Info">Its details.</param>
public sealed record SnapshotCandidate(string Id, BucketSnapshotInfo Info);

/// <summary>The snapshot chosen for a moment.</summary>
/// <param name="Snapshot">The snapshot.</param>
/// <param name="AfterLastListing">
/// The moment is after the snapshot's listing: the state restored is the one listed then, and later changes are
/// unknown (the caller warns).
/// </param>
public sealed record SnapshotChoice(SnapshotCandidate Snapshot, bool AfterLastListing);
