using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Restore;
using Lifeboat.Buckets.Source;
using Lifeboat.Buckets.Target;

namespace Lifeboat.Buckets.Mirror;

/// <summary>
/// The copy phase of a mirror: each object is read from the source (one GET, its tags) and streamed into the target
/// with its headers, metadata, tags and storage class, in the layout that gives back its ETag. Nothing becomes
/// visible half-written: an object with a plain ETag (up to 5 GiB) is one streamed PUT that hands over its last
/// byte only once the read ended whole (else the request is cut short and the server keeps nothing), with its ETag
/// as Content-MD5; one with a multipart ETag is a multipart upload completed only after its last byte, and aborted
/// otherwise. An object replaced while it is read is copied again, and so is one
/// whose copy cannot carry the source's ETag when the source no longer holds the upload read once the copy landed
/// (later runs take such a copy as current by its size and time); one deleted since the listing is counted as gone.
/// What fails one object at either end is named and counted, and the others go on; what would fail every object
/// alike (an endpoint that stopped answering, keys refused, a bucket gone) stops the mirror.
/// </summary>
internal sealed class MirrorCopies(RestoreContext context, SourceBucketClient source)
{
    /// <summary>Reads of one object before a change during every one of them fails it.</summary>
    public const int Attempts = 3;

    // Objects written multipart hold two part buffers of up to 32 MiB each; this many at once bounds that memory.
    private const int LargeAtOnce = 2;

    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    private readonly TargetObjectUpload _upload = new(context.Target);
    private readonly SemaphoreSlim _large = new(LargeAtOnce, LargeAtOnce);
    private readonly TagReading _tags = new(headerTrusted: false);
    private readonly PartSizeProbe _parts = new();
    private ITransferProgress? _progress;

    private enum Outcome
    {
        Done,

        // The source changed while it was read; nothing was written.
        Changed,

        // A copy landed, but of an upload the source has replaced since.
        Stale,
    }

    /// <summary>Copies every object of <paramref name="writes"/>, <paramref name="bytes"/> bytes together as listed.</summary>
    public async Task RunAsync(SortedSpillFile<BucketObjectRecord> writes, long bytes, string where, CancellationToken cancellationToken)
    {
        if (writes.Count == 0)
            return;
        _progress = context.Reporter.StartTransfer($"copying {writes.Count} objects to {where}", bytes);
        await RestoreContext.ForEachAsync(
            writes.ReadAsync(cancellationToken), context.Settings.Transfers, (record, token) => new ValueTask(CopyAsync(record, token)), cancellationToken);
    }

    /// <summary>Copies one object as the source holds it now (also for a look that found the copy out of date).</summary>
    public async Task CopyAsync(BucketObjectRecord listed, CancellationToken cancellationToken)
    {
        var stale = false;
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await CopyOnceAsync(listed, cancellationToken);
            if (outcome == Outcome.Done)
                return;
            stale |= outcome == Outcome.Stale;
            if (attempt == Attempts)
            {
                var removal = stale ? await RemoveStaleAsync(listed.Key, cancellationToken) : "";
                context.Fail(listed.Key, new LifeboatException(
                    $"it changed at the source each of the {Attempts} times it was read{removal}", "mirror again once it is written less often"));
                return;
            }
        }
    }

    /// <summary>Counts <paramref name="key"/> as deleted at the source since the listing: neither copied nor failed.</summary>
    public void CountGone(string key)
    {
        context.Tally.Gone();
        context.Reporter.Event($"'{key}' was deleted at the source after the listing; it is counted as gone, not copied");
    }

    /// <summary>
    /// True for a failure at either end that would fail every object alike: an endpoint that stopped answering, keys
    /// refused, a bucket gone. Anything else (a key or prefix refused, an error after the retries, a request out of
    /// time, an upload gone) fails the object alone.
    /// </summary>
    public static bool StopsTheRun(LifeboatException e) =>
        e.Remedy?.Action is RemedyAction.CheckSourceS3Endpoint or RemedyAction.CheckSourceS3Credentials or RemedyAction.CheckSourceS3Bucket
            or RemedyAction.CheckTargetS3Endpoint or RemedyAction.CheckTargetS3Credentials or RemedyAction.CheckTargetS3Bucket;

    private async Task<Outcome> CopyOnceAsync(BucketObjectRecord listed, CancellationToken cancellationToken)
    {
        using var slot = new LargeSlot(_large);
        await slot.HoldIfAsync(PartSizeChoice.For(listed.Size, listed.ETag) is not null, cancellationToken);
        SourceObjectRead? read;
        IReadOnlyDictionary<string, string>? tags = null;
        long? partSize = null;
        try
        {
            read = await SourceObjectRead.OpenAsync(source, listed.Key, versionId: null, cancellationToken);
            if (read is not null)
            {
                tags = await TagsAsync(listed.Key, read.TagCount, cancellationToken);
                partSize = await PartSizeAsync(listed.Key, read.Identity, cancellationToken);
            }
        }
        catch (LifeboatException e) when (!StopsTheRun(e))
        {
            context.Fail(listed.Key, e);
            return Outcome.Done;
        }

        if (read is null)
            return Gone(listed.Key);
        await using (read)
        {
            if (tags is null)
                return Gone(listed.Key);
            var identity = read.Identity;
            // The GET may have found another upload than the one listed: its own size and ETag decide its layout.
            await slot.HoldIfAsync(PartSizeChoice.For(identity.Size, identity.ETag, partSize) is not null, cancellationToken);
            // The listing's storage class wins: a GET leaves out STANDARD.
            var attributes = read.Attributes with { Tags = tags, StorageClass = listed.Attributes.StorageClass ?? read.Attributes.StorageClass };
            return await WriteAsync(listed.Key, read, attributes, partSize, cancellationToken);
        }
    }

    private async Task<Outcome> WriteAsync(string key, SourceObjectRead read, ObjectAttributes attributes, long? partSize, CancellationToken cancellationToken)
    {
        TargetWrite written;
        try
        {
            // A write sent again (the target refused the storage class, or the ETag was no MD5) reads the object anew.
            var opened = false;
            written = await _upload.StreamAsync(key, OpenAsync, read.Identity.Size, attributes, read.Identity.ETag, partSize, cancellationToken);

            async Task<Stream> OpenAsync(CancellationToken token)
            {
                if (opened)
                    return await read.ReopenAsync(token);
                opened = true;
                return read.Body;
            }
        }
        catch (ContentUnreadableException e) when (e.Cause is SourceObjectChangedException)
        {
            return Outcome.Changed;
        }
        catch (ContentUnreadableException e) when (StopsTheRun(e.Cause))
        {
            throw e.Cause;
        }
        catch (ContentUnreadableException e)
        {
            context.Fail(key, e.Cause);
            return Outcome.Done;
        }
        catch (LifeboatException e) when (!StopsTheRun(e))
        {
            context.Fail(key, e);
            return Outcome.Done;
        }

        // radosgw completes a multipart upload with an empty ETag: that copy is checked too.
        if (!UnchangedTargetRule.SameETag(written.ETag, read.Identity.ETag))
        {
            try
            {
                if (await ReplacedSinceReadAsync(key, read.Identity.ETag, cancellationToken))
                    return Outcome.Stale;
            }
            catch (LifeboatException e) when (!StopsTheRun(e))
            {
                context.Fail(key, e);
                return Outcome.Done;
            }
        }

        context.Tally.Restored(read.Identity.Size);
        _progress?.Report(context.Tally.RestoredBytes);
        return Outcome.Done;
    }

    // A copy without the source's ETag is taken as current by later runs when it has the source's size and is newer
    // than the source's upload: true when the source no longer holds the upload read, so the copy may be older bytes
    // under a newer timestamp. A source object deleted since stays copied until a run with removals.
    private async Task<bool> ReplacedSinceReadAsync(string key, string etag, CancellationToken cancellationToken)
    {
        var now = await source.HeadAsync(key, cancellationToken);
        return now is not null && !UnchangedTargetRule.SameETag(now.ETag, etag);
    }

    // A copy of an upload the source replaced, of the same size and newer than the replacement, would look current
    // to every later run: it goes, and the next run copies the object as the source holds it then.
    private async Task<string> RemoveStaleAsync(string key, CancellationToken cancellationToken)
    {
        const string Copy = "; its copy, written from an older upload,";
        try
        {
            var refused = await context.Target.DeleteAsync([key], cancellationToken);
            return refused.Count == 0 ? $"{Copy} was removed so that the next run copies it" : $"{Copy} could not be removed ({refused[0].Reason})";
        }
        catch (LifeboatException e) when (!StopsTheRun(e))
        {
            return $"{Copy} could not be removed ({e.Message})";
        }
    }

    // The source's own part size where its server tells it, so the copy gets the source's ETag back; else a guess.
    private Task<long?> PartSizeAsync(string key, ObjectIdentity identity, CancellationToken cancellationToken) =>
        PartSizeChoice.PartCount(identity.ETag) is { } parts
            ? _parts.PartSizeAsync(source, key, identity.Size, identity.ETag, parts, cancellationToken)
            : Task.FromResult<long?>(null);

    // Null when the object is gone. Some servers never send x-amz-tagging-count, so until one GET proves this one
    // does, every object's tags are asked for.
    private async Task<IReadOnlyDictionary<string, string>?> TagsAsync(string key, int? tagCount, CancellationToken cancellationToken)
    {
        if (!_tags.AskAlways && tagCount is not > 0)
            return NoTags;
        var tags = await source.GetTagsAsync(key, versionId: null, cancellationToken);
        if (tags is not null)
            _tags.Observe(tagCount, tags.Count);
        return tags;
    }

    private Outcome Gone(string key)
    {
        CountGone(key);
        return Outcome.Done;
    }

    // At most one of the large-object slots, held by one attempt and given back when it ends.
    private sealed class LargeSlot(SemaphoreSlim slots) : IDisposable
    {
        private bool _held;

        public async Task HoldIfAsync(bool large, CancellationToken cancellationToken)
        {
            if (!large || _held)
                return;
            await slots.WaitAsync(cancellationToken);
            _held = true;
        }

        public void Dispose()
        {
            if (_held)
                slots.Release();
        }
    }
}
