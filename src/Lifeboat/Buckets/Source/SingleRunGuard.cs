using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Source;

/// <summary>
/// One live run per source for work that must not run twice at once (a backup's interrupted-run overlay takes every
/// journal without a manifest as abandoned): after taking its shared lock, a run steps back when another live lock of
/// the same scope was taken for the same work. Two runs that start together both step back, which is safe.
/// </summary>
public static class SingleRunGuard
{
    /// <summary>Throws when a live lock other than <paramref name="own"/> has its scope and command.</summary>
    public static async Task EnsureAloneAsync(IObjectStore store, LockRecord own, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var record in await RepositoryLock.ListAsync(store, cancellationToken))
        {
            if (record.Id == own.Id || record.LockScope != own.LockScope || record.Command != own.Command)
                continue;
            if (record.IsStale(now, RepositoryLock.StaleAfter))
                continue;
            throw new LifeboatException(
                $"another run of the same work on {own.LockScope} is under way: {record.Describe()}",
                "wait for it to finish; only one may run at a time",
                FailureKind.Failed)
            {
                Remedy = new(RemedyAction.RemoveStaleLocks),
            };
        }
    }
}
