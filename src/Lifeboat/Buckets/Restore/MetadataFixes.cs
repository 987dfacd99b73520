using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Target;

namespace Lifeboat.Buckets.Restore;

/// <summary>
/// The look phase of a restore: for each target object that holds the recorded upload's bytes under another
/// timestamp, one HEAD (and its tags) decide. Unchanged ones are skipped; when only headers, metadata or the storage
/// class differ the object is copied onto itself, moving no bytes; when only tags differ they are rewritten alone.
/// One the target changed since its listing is written again.
/// </summary>
internal sealed class MetadataFixes(RestoreContext context, ObjectWrites? writes)
{
    // S3 copies an object onto itself only up to 5 GiB; a larger one is written again to change its metadata.
    private const long CopyLimit = 5L << 30;

    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    /// <summary>Looks at every object of <paramref name="looks"/>; with a dry run it only counts what it would do.</summary>
    public Task RunAsync(SortedSpillFile<BucketObjectRecord> looks, CancellationToken cancellationToken) =>
        looks.Count == 0
            ? Task.CompletedTask
            : RestoreContext.ForEachAsync(looks.ReadAsync(cancellationToken), context.Settings.Transfers, (record, token) => new ValueTask(LookAsync(record, token)), cancellationToken);

    private async Task LookAsync(BucketObjectRecord record, CancellationToken cancellationToken)
    {
        var target = context.Target;
        var head = await target.HeadAsync(record.Key, cancellationToken);
        if (head is null || head.Size != record.Size || !UnchangedTargetRule.SameETag(head.ETag, record.ETag))
        {
            await RewriteAsync(record, cancellationToken);
            return;
        }

        // Tags need their own request, unless the HEAD counted none and none are wanted.
        var tags = record.Attributes.Tags.Count > 0 || head.TagCount is not 0 ? await target.GetTagsAsync(record.Key, cancellationToken) : NoTags;
        var difference = UnchangedTargetRule.Compare(record.Attributes, head.Attributes with { Tags = tags });
        if (difference == AttributeDifference.None)
        {
            context.Tally.Skipped();
            return;
        }

        if (context.Settings.DryRun)
        {
            context.Tally.Fixed();
            return;
        }

        await FixAsync(record, head.ETag, difference, cancellationToken);
    }

    private async Task FixAsync(BucketObjectRecord record, string headETag, AttributeDifference difference, CancellationToken cancellationToken)
    {
        var rewritesObject = (difference & (AttributeDifference.Headers | AttributeDifference.StorageClass)) != 0;
        if (rewritesObject && record.Size > CopyLimit)
        {
            await RewriteAsync(record, cancellationToken);
            return;
        }

        try
        {
            // Only the object the HEAD saw: one the application replaced since then gets the recorded one written.
            if (rewritesObject && !await context.Target.CopyInPlaceAsync(record.Key, record.Attributes, headETag, cancellationToken))
            {
                await RewriteAsync(record, cancellationToken);
                return;
            }

            // A copy keeps the object's tags: they are set on their own when they differ.
            if ((difference & AttributeDifference.Tags) != 0)
                await context.Target.PutTagsAsync(record.Key, null, record.Attributes.Tags, cancellationToken);
        }
        catch (TargetObjectRejectedException e)
        {
            context.Fail(record.Key, e);
            return;
        }

        context.Tally.Fixed();
    }

    private async Task RewriteAsync(BucketObjectRecord record, CancellationToken cancellationToken)
    {
        if (writes is null)
        {
            // A dry run: the object would be written.
            context.Tally.Restored(record.Size);
            return;
        }

        await writes.WriteStreamedAsync(record, cancellationToken);
    }
}
