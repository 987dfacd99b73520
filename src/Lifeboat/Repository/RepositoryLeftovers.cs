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

    /// <summary>
    /// Looks for uploads not written to for <see cref="UploadIdleFor"/>: they hold space that nothing will free once
    /// their runs are gone. Whether they are gone only the locks can tell: every run that writes holds one.
    /// </summary>
    public static async Task<HealthCheck> CheckUploadsAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        var found = await store.FindAbandonedUploadsAsync(UploadIdleFor, cancellationToken);
        IReadOnlyList<LockRecord> records = found.Count == 0 ? [] : await RepositoryLock.ListAsync(store, cancellationToken);
        return Uploads(found, records, DateTimeOffset.UtcNow, store is FileObjectStore);
    }

    /// <summary>
    /// The uploads check on the idle uploads <paramref name="found"/> and the lock records read at <paramref name="now"/>;
    /// <paramref name="inDirectory"/> when they are temporary files of a directory repository (else multipart uploads).
    /// </summary>
    public static HealthCheck Uploads(AbandonedUploads found, IReadOnlyList<LockRecord> records, DateTimeOffset now, bool inDirectory)
    {
        if (found.Count == 0)
            return HealthCheck.Ok(UploadsCheck, "no abandoned uploads");
        var idle = $"not written to for over {UploadIdleFor.TotalHours:0} hour(s)";
        var live = records.Where(r => !r.IsStale(now, RepositoryLock.StaleAfter)).ToList();
        if (live.Count > 0)
        {
            // A run that waits writes nothing meanwhile (a backup whose dump is blocked by a table lock for an hour), so
            // an idle upload may be a live one: removing it would fail that run.
            return new HealthCheck(
                UploadsCheck,
                HealthStatus.Warn,
                $"{found.Count} upload(s) in {found.Place} hold {ByteCount.Format(found.Bytes)}, {idle}; a running command may still own them: {string.Join("; ", live.Select(r => r.Describe()))}")
            {
                Hint = "leave them while it runs: a command that waits writes nothing for a while; look again once no command holds a lock",
            };
        }

        return new HealthCheck(
            UploadsCheck,
            HealthStatus.Warn,
            $"{found.Count} abandoned upload(s) in {found.Place} hold {ByteCount.Format(found.Bytes)}: {idle}, and no running command holds a lock, so the runs that wrote them ended without finishing them")
        {
            Hint = inDirectory
                ? $"delete the files in {found.Place} that are older than {UploadIdleFor.TotalHours:0} hour(s)"
                : "abort them (aws s3api list-multipart-uploads, abort-multipart-upload), or let a lifecycle rule of the bucket abort incomplete multipart uploads",
        };
    }
}
