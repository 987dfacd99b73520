using Lifeboat.Storage;

namespace Lifeboat.Repository;

/// <summary>What killed runs leave in a repository, found without changing it: stale locks and abandoned uploads.</summary>
public static class RepositoryLeftovers
{
    /// <summary>What the locks check is called.</summary>
    public const string LocksCheck = "locks";

    /// <summary>What the uploads check is called.</summary>
    public const string UploadsCheck = "uploads";

    /// <summary>How long an upload must go unwritten to count as abandoned: a live one writes all along.</summary>
    public static readonly TimeSpan UploadIdleFor = TimeSpan.FromHours(1);

    /// <summary>Looks at the repository's locks: a stale one is a warning, live ones are named.</summary>
    public static async Task<HealthCheck> CheckLocksAsync(IObjectStore store, CancellationToken cancellationToken) =>
        Locks(await RepositoryLock.ListAsync(store, cancellationToken), DateTimeOffset.UtcNow);

    /// <summary>The locks check on the records found at <paramref name="now"/>.</summary>
    public static HealthCheck Locks(IReadOnlyList<LockRecord> records, DateTimeOffset now)
    {
        var stale = records.Where(r => r.IsStale(now, RepositoryLock.StaleAfter)).ToList();
        if (stale.Count > 0)
        {
            return new HealthCheck(LocksCheck, HealthStatus.Warn, string.Join("; ", stale.Select(r => "stale " + r.Describe())))
            {
                Hint = "a run ended without releasing it; work that needs what it locks is refused until it is removed",
                Remedy = new(RemedyAction.RemoveStaleLocks),
            };
        }

        if (records.Count == 0)
            return HealthCheck.Ok(LocksCheck, "no locks held");
        // A live lock is a command at work (a backup that runs now), nothing to act on; it is named so a hang can be traced.
        return HealthCheck.Ok(LocksCheck, $"{records.Count} held by running commands: {string.Join("; ", records.Select(r => r.Describe()))}");
    }

    /// <summary>Looks for uploads whose runs were killed: they hold space that nothing will free.</summary>
    public static async Task<HealthCheck> CheckUploadsAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        var found = await store.FindAbandonedUploadsAsync(UploadIdleFor, cancellationToken);
        if (found.Count == 0)
            return HealthCheck.Ok(UploadsCheck, "no abandoned uploads");
        return new HealthCheck(
            UploadsCheck,
            HealthStatus.Warn,
            $"{found.Count} abandoned upload(s) in {found.Place} hold {ByteCount.Format(found.Bytes)}: not written to for {UploadIdleFor.TotalHours:0} hour(s), so the runs that wrote them were killed")
        {
            Hint = store is FileObjectStore
                ? $"delete the files in {found.Place} that are older than {UploadIdleFor.TotalHours:0} hour(s)"
                : "abort them (aws s3api list-multipart-uploads, abort-multipart-upload), or let a lifecycle rule of the bucket abort incomplete multipart uploads",
        };
    }
}
