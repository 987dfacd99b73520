using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Restore;
using Lifeboat.Buckets.Target;

namespace Lifeboat.Buckets.Mirror;

/// <summary>
/// When a mirror's copy of an object is current. A copy keeps the source's part layout (<see cref="PartSizeChoice"/>),
/// so it has the source's ETag: same size and ETag, and a copy not older than the source's upload, is that upload.
/// The ETag is compared only where it can be: never as a content hash across servers, only as "the copy was written
/// from this upload". Where it cannot match (SSE-KMS or SSE-C, whose ETags are no digest of the bytes; an object
/// whose part layout the copy does not reproduce), a copy of the same size that is newer than the source's upload is
/// taken as current, and one that is older is copied again, since nothing short of reading both could tell a change
/// of content from one of metadata. Tags alone change no timestamp, so they travel with the object's next change.
/// </summary>
public static class MirrorRule
{
    /// <summary>What the two listings alone say about <paramref name="found"/>, the target's object under the source's key.</summary>
    public static PlanAction Match(BucketObjectRecord source, ListingEntry found)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(found);
        if (source.Size != found.Size)
            return PlanAction.Write;
        var copyNotOlder = NotOlder(found.LastModified, source.LastModified);
        if (UnchangedTargetRule.SameETag(source.ETag, found.ETag))
            return copyNotOlder ? PlanAction.Skip : PlanAction.Look;
        if (!copyNotOlder)
            return PlanAction.Write;
        // A newer copy with another ETag: a layout the copy cannot reproduce explains it; otherwise only a HEAD can
        // tell an encrypted object (whose ETags never match) from one whose bytes changed since it was copied.
        return ReproducesETag(source.Size, source.ETag) ? PlanAction.Look : PlanAction.Skip;
    }

    /// <summary>
    /// True when the HEADs of both say the target holds the source's bytes: the same upload's ETag, or, where ETags
    /// cannot be compared, the same size in a copy not older than the source's upload.
    /// </summary>
    public static bool SameBytes(ObjectHead source, ObjectHead target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Size != target.Size)
            return false;
        if (UnchangedTargetRule.SameETag(source.ETag, target.ETag))
            return true;
        var comparable = !source.OpaqueETag && !target.OpaqueETag && ReproducesETag(source.Size, source.ETag);
        return !comparable && NotOlder(target.LastModified, source.LastModified);
    }

    /// <summary>
    /// True when a copy of <paramref name="size"/> bytes whose source ETag is <paramref name="etag"/>, written as a
    /// mirror writes it, gets that ETag back: one PUT for a plain MD5, or the part count of a multipart ETag.
    /// </summary>
    public static bool ReproducesETag(long size, string? etag)
    {
        var parts = PartSizeChoice.PartCount(etag);
        if (PartSizeChoice.For(size, etag) is not { } partSize)
            return parts is null;
        return parts is { } count && (size + partSize - 1) / partSize == count;
    }

    // Listings give milliseconds, HEADs seconds; each comparison is between two of the same kind.
    private static bool NotOlder(DateTimeOffset copy, DateTimeOffset source) => IndexTime.Truncate(copy) >= IndexTime.Truncate(source);
}
