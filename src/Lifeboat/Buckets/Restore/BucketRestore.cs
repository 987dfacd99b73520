using System.Runtime.CompilerServices;
using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Target;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.Restore;

/// <summary>
/// Brings a bucket back as a snapshot recorded it, as it was at a moment, or one version of one key as the current
/// object (design §5). The snapshot's objects are merge-joined with the target's listing and the plan spilled to
/// disk; then objects are written (each verified before it becomes visible), metadata fixed, and extras removed when
/// asked, in that order. A target holding objects under the prefix is refused before anything is written unless
/// forced (a dry run shows its plan and the refusal). An object whose stored content is damaged is named and not written, and the restore goes on.
/// </summary>
public sealed class BucketRestore(BackupRepository repository, IActivityReporter reporter, string? spillParent = null)
{
    /// <summary>Restores <paramref name="request"/> from the snapshots of the bucket source named <paramref name="name"/>.</summary>
    public async Task<RestoreReport> RunAsync(string name, BucketRestoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        RepositoryLayout.ValidateSourceName(name);
        var manifest = await ChooseAsync(name, request, cancellationToken);
        var info = BucketSnapshotInfo.Of(manifest);
        RefuseDefaultElsewhere(request, info, manifest.Id, name);
        var scope = request.Key ?? RestoreScope.Of(info.Prefix, request.Prefix, name);
        var where = (request.Target with { Prefix = scope }).Describe();
        using var target = new TargetBucketClient(request.Target, reporter.Warning);
        // The first request proves the endpoint, the credentials and the bucket, before anything is read or written.
        var keepsVersions = await target.KeepsReplacedVersionsAsync(cancellationToken);
        // A dry run shows its plan even so, and says it would be refused.
        var refusal = await OccupiedAsync(target, request, scope, where, keepsVersions, cancellationToken);
        if (refusal is not null && !request.DryRun)
            throw refusal;

        var reader = new SnapshotIndexReader(repository, new BucketIndexLayout(name));
        var index = await reader.OpenAsync(manifest.Objects.Single(o => o.Role == BucketIndexLayout.RootRole), cancellationToken);
        var tally = new RestoreTally();
        var context = new RestoreContext(target, tally, reporter, new WriteSettings(request.Transfers, request.DryRun, request.DeleteExtra, "restored"));
        using var spill = SpillDirectory.Create(spillParent ?? BucketBackup.DefaultSpillParent, DateTimeOffset.UtcNow);
        await using var work = RestoreWorklist.Create(spill);
        var listing = request.Key is { } key ? OneKeyAsync(target, key, cancellationToken) : target.ListAsync(scope, cancellationToken);
        await foreach (var step in RestorePlan.JoinAsync(Wanted(reader, index.Root, request, scope, manifest.Id, cancellationToken), listing, cancellationToken))
        {
            if (step.Action == PlanAction.Skip)
                tally.Skipped();
            await work.AddAsync(step, cancellationToken);
        }

        await work.FinishAsync(cancellationToken);
        reporter.Event(
            $"restore of snapshot {manifest.Id} into {where}: {work.WriteCount} to write ({work.WriteBytes} bytes), {work.LookCount} to compare, "
            + $"{work.ExtraCount} the snapshot lacks{(request.DryRun ? " (dry run: nothing is written)" : "")}");
        await RunPhasesAsync(context, work, spill, name, where, cancellationToken);
        return tally.ToReport(manifest.Id, request.AsOf, where, request.DryRun) with { Refusal = refusal };
    }

    // Puts, then metadata fixes, then removals: a restore cut short has written what matters most first.
    private async Task RunPhasesAsync(RestoreContext context, RestoreWorklist work, SpillDirectory spill, string name, string where, CancellationToken cancellationToken)
    {
        ObjectWrites? writes = null;
        if (context.Settings.DryRun)
        {
            context.Tally.Restored(work.WriteBytes, work.WriteCount);
        }
        else if (work.WriteCount > 0 || work.LookCount > 0)
        {
            // A damaged catalog segment leaves its contents out: their objects then fail by name.
            var content = await ContentReader.OpenAsync(
                repository, new BucketContentLayout(name), (key, e) => reporter.Warning($"catalog segment {key} is left out: {e.Message}"), cancellationToken);
            writes = new ObjectWrites(context, content, spill);
            await writes.RunAsync(work.Writes, work.WriteBytes, where, cancellationToken);
        }

        await new MetadataFixes(context, writes).RunAsync(work.Looks, cancellationToken);
        await new ExtraRemoval(context).RunAsync(work.Extras, cancellationToken);
    }

    private async Task<BackupManifest> ChooseAsync(string name, BucketRestoreRequest request, CancellationToken cancellationToken)
    {
        if (request.AsOf is not { } asOf)
            return await repository.FindBackupAsync(BucketSnapshotInfo.SourceType, name, request.SnapshotId ?? "latest", cancellationToken, BucketSnapshotInfo.Kind);
        var manifests = (await repository.ListBackupsAsync(
            BucketSnapshotInfo.SourceType, name, (key, e) => reporter.Warning($"{key} is left out: {e.Message}"), cancellationToken))
            .Where(m => m.Kind == BucketSnapshotInfo.Kind)
            .ToList();
        var choice = SnapshotChooser.Choose([.. manifests.Select(m => new SnapshotCandidate(m.Id, BucketSnapshotInfo.Of(m)))], asOf, name);
        if (choice.AfterLastListing)
        {
            reporter.Warning(
                $"{IndexTime.ToText(asOf)} is after the newest snapshot of '{name}' listed the bucket ({IndexTime.ToText(choice.Snapshot.Info.ListedAt)}); "
                + "the state restored is the one listed then, and later changes are unknown");
        }

        return manifests.Single(m => m.Id == choice.Snapshot.Id);
    }

    // The default target is the configured source bucket; when the snapshots were taken of another bucket or prefix,
    // that would write them somewhere they never came from.
    private static void RefuseDefaultElsewhere(BucketRestoreRequest request, BucketSnapshotInfo info, string snapshotId, string name)
    {
        if (request.DefaultTarget is not { } configured || (configured.Bucket == info.Bucket && configured.Prefix == (info.Prefix ?? "")))
            return;
        throw new LifeboatException(
            $"snapshot {snapshotId} of bucket source '{name}' was taken of s3://{info.Bucket}/{info.Prefix}, "
            + $"but the source is now configured as s3://{configured.Bucket}/{configured.Prefix}, which a restore would write into by default",
            "nothing was written",
            FailureKind.Usage)
        {
            Remedy = new(RemedyAction.NameTargetBucket),
        };
    }

    // Why writing into the target needs force (it holds what the restore would write over); null when it does not.
    private static async Task<LifeboatException?> OccupiedAsync(
        TargetBucketClient target, BucketRestoreRequest request, string scope, string where, bool keepsVersions, CancellationToken cancellationToken)
    {
        if (request.Force)
            return null;
        if (request.Key is { } key)
        {
            // With versioning enabled the object there survives as a non-current version: nothing is lost. Suspended
            // versioning keeps nothing of what a write replaces, so it counts as none.
            if (keepsVersions || (await target.FirstAsync(key, cancellationToken))?.Key != key)
                return null;
            return Occupied($"'{key}' already exists in {target.Endpoint.Describe()}, whose versioning is not enabled, so restoring it would overwrite it for good");
        }

        return await target.FirstAsync(scope, cancellationToken) is null ? null : Occupied($"{where} already holds objects");
    }

    private static LifeboatException Occupied(string message) =>
        new(message, "nothing was written", FailureKind.Usage) { Remedy = new(RemedyAction.WriteIntoNonEmptyBucket) };

    private static async IAsyncEnumerable<BucketObjectRecord> Wanted(
        SnapshotIndexReader reader, IndexRoot root, BucketRestoreRequest request, string scope, string snapshotId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (request.Key is { } key)
        {
            yield return OneKey(await reader.ReadKeyAsync(root, key, cancellationToken), request, snapshotId);
            yield break;
        }

        var filter = new RecordFilter(Prefix: scope.Length == 0 ? null : scope);
        var records = reader.ReadRangeAsync(root, filter.Range, cancellationToken);
        var view = request.AsOf is { } asOf
            ? PointInTimeView.AsOfAsync(records, asOf, filter, cancellationToken)
            : PointInTimeView.AtSnapshotAsync(records, filter, cancellationToken);
        await foreach (var record in view)
            yield return record;
    }

    private static BucketObjectRecord OneKey(IReadOnlyList<BucketObjectRecord> group, BucketRestoreRequest request, string snapshotId)
    {
        var key = request.Key!;
        if (request.Version is { } version)
        {
            return PointInTimeView.FindVersion(group, version) ?? throw new LifeboatException(
                $"snapshot {snapshotId} holds no version '{version}' of '{key}'",
                "give a version id the source listed, or at least 8 hex digits of the content's SHA-256",
                FailureKind.Usage);
        }

        var state = request.AsOf is { } asOf ? PointInTimeView.StateAt(group, asOf) : group.FirstOrDefault(r => r.Latest && !r.DeleteMarker);
        return state ?? throw new LifeboatException(
            request.AsOf is { } moment ? $"'{key}' did not exist at {IndexTime.ToText(moment)}, as snapshot {snapshotId} records it" : $"snapshot {snapshotId} holds no current '{key}'",
            "choose another moment or snapshot, or one of the key's versions",
            FailureKind.Usage);
    }

    // One key's target listing: the key itself, the first of all keys that start with it.
    private static async IAsyncEnumerable<ListingEntry> OneKeyAsync(TargetBucketClient target, string key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await target.FirstAsync(key, cancellationToken) is { } found && found.Key == key)
            yield return found;
    }
}
