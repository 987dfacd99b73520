using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Restore;
using Lifeboat.Buckets.Source;
using Lifeboat.Buckets.Target;

namespace Lifeboat.Buckets.Mirror;

/// <summary>
/// The look phase of a mirror, for the objects whose listings alone do not decide (<see cref="MirrorRule"/>): a HEAD
/// of both ends, and their tags, say whether the copy holds the source's bytes. If it does not, it is copied again;
/// if only headers, metadata or the storage class differ, the copy is copied onto itself (no bytes move; a copy with
/// a multipart ETag, or beyond 5 GiB, is copied from the source again instead); if only tags differ, they are
/// rewritten alone. What fails one object at either end is named and counted, and the others go on.
/// </summary>
internal sealed class MirrorLooks(RestoreContext context, SourceBucketClient source, MirrorCopies copies)
{
    // S3 copies an object onto itself only up to 5 GiB.
    private const long CopyLimit = 5L << 30;

    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    /// <summary>Looks at every object of <paramref name="looks"/>; with a dry run it only counts what it would do.</summary>
    public Task RunAsync(SortedSpillFile<BucketObjectRecord> looks, CancellationToken cancellationToken) =>
        looks.Count == 0
            ? Task.CompletedTask
            : RestoreContext.ForEachAsync(looks.ReadAsync(cancellationToken), context.Settings.Transfers, (record, token) => new ValueTask(LookAsync(record, token)), cancellationToken);

    /// <summary>
    /// Looks at one object the listings did not decide, and copies it, fixes it or counts it unchanged. What fails it
    /// at either end (a HEAD refused, an error after the retries) is named and counted.
    /// </summary>
    public async Task LookAsync(BucketObjectRecord listed, CancellationToken cancellationToken)
    {
        try
        {
            await LookOnceAsync(listed, cancellationToken);
        }
        catch (LifeboatException e) when (!MirrorCopies.StopsTheRun(e))
        {
            context.Fail(listed.Key, e);
        }
    }

    private async Task LookOnceAsync(BucketObjectRecord listed, CancellationToken cancellationToken)
    {
        var key = listed.Key;
        var sourceHead = await source.HeadAsync(key, cancellationToken);
        var sourceTags = sourceHead is null ? null : sourceHead.TagCount is 0 ? NoTags : await source.GetTagsAsync(key, versionId: null, cancellationToken);
        if (sourceHead is null || sourceTags is null)
        {
            copies.CountGone(key);
            return;
        }

        var targetHead = await context.Target.HeadAsync(key, cancellationToken);
        if (targetHead is null || !MirrorRule.SameBytes(sourceHead, targetHead))
        {
            await CopyAsync(listed, cancellationToken);
            return;
        }

        var wanted = sourceHead.Attributes with { Tags = sourceTags, StorageClass = listed.Attributes.StorageClass ?? sourceHead.Attributes.StorageClass };
        var targetTags = wanted.Tags.Count > 0 || targetHead.TagCount is not 0 ? await context.Target.GetTagsAsync(key, cancellationToken) : NoTags;
        var difference = UnchangedTargetRule.Compare(wanted, targetHead.Attributes with { Tags = targetTags });
        // A class the target does not offer cannot be given to the copy, which stays in the target's default class:
        // unchanged as far as the target can hold it, not fixed again on every run.
        if ((difference & AttributeDifference.StorageClass) != 0
            && !await context.Target.OffersStorageClassAsync(key, wanted.StorageClass, ask: !context.Settings.DryRun, cancellationToken))
            difference &= ~AttributeDifference.StorageClass;
        if (difference == AttributeDifference.None)
        {
            await SkipAsync(key, wanted, sourceHead, targetHead, cancellationToken);
            return;
        }

        if (context.Settings.DryRun)
        {
            context.Tally.Fixed();
            return;
        }

        await FixAsync(listed, wanted, difference, targetHead, cancellationToken);
    }

    // The copy already equals the source, but is older than the source's upload (rewritten with the same bytes and
    // metadata): copied onto itself, it becomes newer, and later runs skip it from the listing alone instead of
    // asking both ends again each time. Not a multipart copy: some servers give a copy onto itself a plain ETag,
    // which the next run would take for other bytes.
    private async Task SkipAsync(string key, ObjectAttributes wanted, ObjectHead sourceHead, ObjectHead targetHead, CancellationToken cancellationToken)
    {
        context.Tally.Skipped();
        if (context.Settings.DryRun || targetHead.LastModified >= sourceHead.LastModified || PartSizeChoice.PartCount(targetHead.ETag) is not null)
            return;
        try
        {
            await context.Target.CopyInPlaceAsync(key, wanted, cancellationToken);
        }
        catch (LifeboatException e) when (!MirrorCopies.StopsTheRun(e))
        {
            context.Reporter.Warning($"'{key}' is unchanged, but its copy's timestamp was not renewed, so the next run compares it again: {e.Message}");
        }
    }

    // Headers and the storage class change by a copy onto itself, but not every copy can be: S3 copies an object onto
    // itself only up to 5 GiB, and some servers give a multipart object copied onto itself a plain ETag, which the
    // next run would take for other bytes and copy again. Such copies are copied from the source instead.
    private async Task FixAsync(BucketObjectRecord listed, ObjectAttributes wanted, AttributeDifference difference, ObjectHead targetHead, CancellationToken cancellationToken)
    {
        var rewritesObject = (difference & (AttributeDifference.Headers | AttributeDifference.StorageClass)) != 0;
        if (rewritesObject && (listed.Size > CopyLimit || PartSizeChoice.PartCount(targetHead.ETag) is not null))
        {
            await copies.CopyAsync(listed, cancellationToken);
            return;
        }

        if (rewritesObject)
            await context.Target.CopyInPlaceAsync(listed.Key, wanted, cancellationToken);
        // A copy keeps the object's tags: they are set on their own when they differ.
        if ((difference & AttributeDifference.Tags) != 0)
            await context.Target.PutTagsAsync(listed.Key, null, wanted.Tags, cancellationToken);
        context.Tally.Fixed();
    }

    private async Task CopyAsync(BucketObjectRecord listed, CancellationToken cancellationToken)
    {
        if (context.Settings.DryRun)
        {
            context.Tally.Restored(listed.Size);
            return;
        }

        await copies.CopyAsync(listed, cancellationToken);
    }
}
