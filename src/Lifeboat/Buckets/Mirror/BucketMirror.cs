using System.Runtime.CompilerServices;
using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Restore;
using Lifeboat.Buckets.Source;
using Lifeboat.Buckets.Target;

namespace Lifeboat.Buckets.Mirror;

/// <summary>
/// A plain, unencrypted copy of a source bucket's current objects in another bucket, which an application can point
/// at: content, headers, user metadata, tags and storage class. Only what changed is copied: the two listings are
/// merge-joined as they stream (both come in key order) and the plan spilled to disk, then objects are copied,
/// metadata fixed and, when asked, what the source no longer has removed, in that order. Removals beyond the allowed
/// share of the target, or for a source that lists nothing, are refused before anything is written; the copies and
/// fixes still run, and the report carries the refusal.
/// </summary>
/// <remarks>A mirror has no history: an object deleted or overwritten at the source is gone from it at the next run. Snapshots are the backup.</remarks>
public sealed class BucketMirror(IActivityReporter reporter, string? spillParent = null)
{
    /// <summary>Mirrors as <paramref name="request"/> asks.</summary>
    public async Task<MirrorReport> RunAsync(BucketMirrorRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var name = request.Source.Name;
        var scope = RestoreScope.Within(request.Source.Endpoint.Prefix, request.Prefix, $"the prefix bucket source '{name}' is configured with");
        var from = request.Source.Endpoint with { Prefix = scope };
        RefuseItself(from, request.Target);
        var where = (request.Target with { Prefix = scope }).Describe();
        using var source = new SourceBucketClient(from);
        using var target = new TargetBucketClient(request.Target, reporter.Warning);
        // The target's first request proves its endpoint, keys and bucket before the source is listed; the source's
        // listing proves the source's before the plan is made. Nothing is written before both answered.
        await target.FirstAsync(scope, cancellationToken);

        var tally = new RestoreTally();
        using var spill = SpillDirectory.Create(spillParent ?? BucketBackup.DefaultSpillParent, DateTimeOffset.UtcNow);
        await using var work = RestoreWorklist.Create(spill);
        var (listed, held) = await PlanAsync(source, target, scope, tally, work, cancellationToken);
        var refusal = request.Remove
            ? RemovalGuard.Refusal(listed, held, work.ExtraCount, request.RemoveLimitPercent, request.Force, from.Describe(), where)
            : null;
        reporter.Event(
            $"mirror of {from.Describe()} into {where}: {listed} objects at the source, {held} in the target; {work.WriteCount} to copy ({work.WriteBytes} bytes), "
            + $"{work.LookCount} to compare, {work.ExtraCount} the source lacks{(refusal is null ? "" : " (their removal is refused)")}{(request.DryRun ? " (dry run: nothing is written)" : "")}");

        var context = new RestoreContext(target, tally, reporter, new WriteSettings(request.Source.Transfers, request.DryRun, request.Remove, "copied"));
        await RunPhasesAsync(context, source, work, refusal is null, where, cancellationToken);
        return MirrorReport.Of(tally.Counts(), from.Describe(), where, request.DryRun) with
        {
            RemovalsRefused = refusal is null ? 0 : work.ExtraCount,
            RemovalRefusal = refusal,
        };
    }

    // The plan, in key order: what to copy, to compare and to remove; returns how many objects each side listed.
    private static async Task<(long Source, long Target)> PlanAsync(
        SourceBucketClient source, TargetBucketClient target, string scope, RestoreTally tally, RestoreWorklist work, CancellationToken cancellationToken)
    {
        long listed = 0, held = 0;
        await foreach (var step in RestorePlan.JoinAsync(Listed(source, cancellationToken), target.ListAsync(scope, cancellationToken), MirrorRule.Match, cancellationToken))
        {
            listed += step.Wanted is null ? 0 : 1;
            held += step.Found is null ? 0 : 1;
            if (step.Action == PlanAction.Skip)
                tally.Skipped();
            await work.AddAsync(step, cancellationToken);
        }

        await work.FinishAsync(cancellationToken);
        return (listed, held);
    }

    // Copies, then metadata fixes, then removals (unless refused): a mirror cut short has copied what matters most first.
    private static async Task RunPhasesAsync(
        RestoreContext context, SourceBucketClient source, RestoreWorklist work, bool removalsAllowed, string where, CancellationToken cancellationToken)
    {
        var copies = new MirrorCopies(context, source);
        if (context.Settings.DryRun)
            context.Tally.Restored(work.WriteBytes, work.WriteCount);
        else
            await copies.RunAsync(work.Writes, work.WriteBytes, where, cancellationToken);
        await new MirrorLooks(context, source, copies).RunAsync(work.Looks, cancellationToken);
        if (removalsAllowed)
            await new ExtraRemoval(context).RunAsync(work.Extras, cancellationToken);
    }

    // Keys are copied whole, so the same bucket at the same endpoint would be each object copied onto itself.
    private static void RefuseItself(BucketEndpoint source, BucketEndpoint target)
    {
        if (source.Bucket != target.Bucket || source.Location.EndpointDescription != target.Location.EndpointDescription)
            return;
        throw new LifeboatException(
            $"s3://{target.Bucket} at {target.Location.EndpointDescription} is the source bucket itself", "a mirror is written into another bucket", FailureKind.Usage)
        {
            Remedy = new(RemedyAction.CheckTargetS3Bucket),
        };
    }

    // The source's current objects as records of what is wanted: key, size, ETag, last-modified, storage class.
    private static async IAsyncEnumerable<BucketObjectRecord> Listed(SourceBucketClient source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in source.ListAsync(KeyRange.All, versioned: false, cancellationToken))
        {
            yield return new BucketObjectRecord
            {
                Key = entry.Key,
                VersionId = entry.VersionId,
                Latest = true,
                LastModified = entry.LastModified,
                Size = entry.Size,
                ETag = entry.ETag,
                Attributes = entry.StorageClass is null ? ObjectAttributes.None : new ObjectAttributes { StorageClass = entry.StorageClass },
            };
        }
    }
}
