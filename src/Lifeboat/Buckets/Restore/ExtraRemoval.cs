using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Target;

namespace Lifeboat.Buckets.Restore;

/// <summary>
/// The last phase of a restore: target objects under the prefix that the snapshot did not have at that moment are
/// removed in DeleteObjects batches when asked (a target with versioning enabled keeps them as non-current versions;
/// suspended or off, they are gone), and only counted otherwise. Keys outside the prefix are never listed, so never
/// touched.
/// </summary>
internal sealed class ExtraRemoval(RestoreContext context)
{
    /// <summary>Removes (or, with a dry run or without removal asked for, counts) every key of <paramref name="extras"/>.</summary>
    public async Task RunAsync(SortedSpillFile<string> extras, CancellationToken cancellationToken)
    {
        if (!context.Settings.RemoveExtras)
        {
            context.Tally.ExtraKept(extras.Count);
            return;
        }

        if (context.Settings.DryRun)
        {
            context.Tally.Removed(extras.Count);
            return;
        }

        var batch = new List<string>(TargetBucketClient.DeleteBatchSize);
        await foreach (var key in extras.ReadAsync(cancellationToken))
        {
            batch.Add(key);
            if (batch.Count == TargetBucketClient.DeleteBatchSize)
                await DeleteAsync(batch, cancellationToken);
        }

        await DeleteAsync(batch, cancellationToken);
    }

    private async Task DeleteAsync(List<string> batch, CancellationToken cancellationToken)
    {
        var refused = await context.Target.DeleteAsync(batch, cancellationToken);
        context.Tally.Removed(batch.Count - refused.Count);
        foreach (var (key, reason) in refused)
            context.Fail(key, new LifeboatException($"S3 did not delete it ({reason})", "see the S3 server's log for this request"), removal: true);
        batch.Clear();
    }
}
