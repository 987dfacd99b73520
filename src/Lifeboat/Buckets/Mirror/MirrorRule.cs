using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Restore;
using Lifeboat.Buckets.Target;

namespace Lifeboat.Buckets.Mirror;

/// <summary>
/// When a mirror's copy of an object is current. Same size and ETag, and a copy not older than the source's upload,
/// is that upload. The ETag is compared only as "the copy was written from this upload", never as a content hash,
/// and by value only where a copy always gets it back: a plain MD5, which one PUT reproduces. A multipart ETag says
/// how many parts there were, not how large: the copy is written with the source's part size where its server tells
/// it, else with a guess (<see cref="PartSizeChoice"/>), so it has the source's part count but, after a wrong guess
/// or with parts of unequal sizes, another value. Such a copy, and one whose ETag cannot match at all (SSE-KMS or
/// SSE-C, parts larger than a mirror reproduces), is taken as current when it has the same size (and part count) and
/// is not older than the source's upload; an older one is copied again, since nothing short of reading both could
/// tell a change of content from one of metadata. A copy newer than the source's upload was made from it: after a
/// write whose ETag is not the source's, the mirror checks that the source still holds the upload it read. Tags alone
/// change no timestamp on AWS (radosgw renews it), so there they travel with the object's next change; a storage
/// class the two listings disagree on is looked at (a lifecycle transition keeps the ETag and the timestamp).
/// </summary>
public static class MirrorRule
{
    /// <summary>What the two listings alone say about <paramref name="found"/>, the target's object under the source's key.</summary>
    public static PlanAction Match(BucketObjectRecord source, ListingEntry found)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(found);
        var action = MatchBytes(source, found);
        // A lifecycle transition keeps the ETag and the timestamp: only the listed class shows it.
        return action == PlanAction.Skip && !UnchangedTargetRule.SameStorageClass(source.Attributes.StorageClass, found.StorageClass) ? PlanAction.Look : action;
    }

    /// <summary>
    /// True when the HEADs of both say the target holds the source's bytes: the same upload's ETag, or, where the
    /// copy cannot have it, the same size (and part count) in a copy not older than the source's upload.
    /// </summary>
    public static bool SameBytes(ObjectHead source, ObjectHead target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Size != target.Size)
            return false;
        if (UnchangedTargetRule.SameETag(source.ETag, target.ETag))
            return true;
        var notOlder = NotOlder(target.LastModified, source.LastModified);
        if (source.OpaqueETag || target.OpaqueETag)
            return notOlder;
        return Expected(source.Size, source.ETag) switch
        {
            CopyETag.Same => false,
            CopyETag.SamePartCount => notOlder && SamePartCount(source.ETag, target.ETag),
            _ => notOlder,
        };
    }

    private static PlanAction MatchBytes(BucketObjectRecord source, ListingEntry found)
    {
        if (source.Size != found.Size)
            return PlanAction.Write;
        var copyNotOlder = NotOlder(found.LastModified, source.LastModified);
        if (UnchangedTargetRule.SameETag(source.ETag, found.ETag))
            return copyNotOlder ? PlanAction.Skip : PlanAction.Look;
        if (!copyNotOlder)
            return PlanAction.Write;
        return Expected(source.Size, source.ETag) switch
        {
            // A newer copy with another MD5: only a HEAD can tell an encrypted object (whose ETags never match) from
            // one whose bytes changed since it was copied.
            CopyETag.Same => PlanAction.Look,
            CopyETag.SamePartCount => SamePartCount(source.ETag, found.ETag) ? PlanAction.Skip : PlanAction.Look,
            _ => PlanAction.Skip,
        };
    }

    /// <summary>What a copy of <paramref name="size"/> bytes whose source ETag is <paramref name="etag"/> gets as its ETag.</summary>
    public static CopyETag Expected(long size, string? etag)
    {
        var parts = PartSizeChoice.PartCount(etag);
        if (PartSizeChoice.For(size, etag) is not { } partSize)
            return parts is null && size <= PartSizeChoice.MaxSinglePut ? CopyETag.Same : CopyETag.Other;
        return parts is { } count && (size + partSize - 1) / partSize == count ? CopyETag.SamePartCount : CopyETag.Other;
    }

    private static bool SamePartCount(string? source, string? copy) => PartSizeChoice.PartCount(source) is { } parts && PartSizeChoice.PartCount(copy) == parts;

    // Listings give milliseconds, HEADs seconds; each comparison is between two of the same kind.
    private static bool NotOlder(DateTimeOffset copy, DateTimeOffset source) => IndexTime.Truncate(copy) >= IndexTime.Truncate(source);
}
