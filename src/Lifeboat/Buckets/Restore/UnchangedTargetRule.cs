using Lifeboat.Buckets.Index;

namespace Lifeboat.Buckets.Restore;

/// <summary>
/// When a target object need not be written again (design §5). Size and ETag equal to the record's mean the target
/// holds the very upload that was backed up; with the record's last-modified too it is that object, whose headers and
/// metadata cannot have changed without a new timestamp. Its tags and storage class can (PutObjectTagging and
/// lifecycle transitions keep the timestamp): the listing shows the class, so another one is looked at, and an object
/// recorded with tags is always looked at. With another timestamp, a HEAD (and the tags) decide whether only its
/// metadata needs rewriting. Tags added to an object recorded without any are not seen: finding them would cost a
/// request per object even in a bucket that uses no tags. This is a statement about uploads, not a content identity
/// inside the repository.
/// </summary>
public static class UnchangedTargetRule
{
    /// <summary>What the listings alone say about <paramref name="found"/>, the target's object under the record's key.</summary>
    public static PlanAction Match(BucketObjectRecord wanted, ListingEntry found)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(found);
        if (wanted.Size != found.Size || !SameETag(wanted.ETag, found.ETag))
            return PlanAction.Write;
        var untouched = IndexTime.Same(wanted.LastModified, found.LastModified)
            && SameStorageClass(wanted.Attributes.StorageClass, found.StorageClass)
            && wanted.Attributes.Tags.Count == 0;
        return untouched ? PlanAction.Skip : PlanAction.Look;
    }

    /// <summary>How the target's attributes (tags included) differ from the recorded ones.</summary>
    public static AttributeDifference Compare(ObjectAttributes wanted, ObjectAttributes found)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(found);
        var difference = AttributeDifference.None;
        if (!SameHeaders(wanted, found) || !SameEntries(wanted.Metadata, found.Metadata))
            difference |= AttributeDifference.Headers;
        if (!SameEntries(wanted.Tags, found.Tags))
            difference |= AttributeDifference.Tags;
        if (!SameStorageClass(wanted.StorageClass, found.StorageClass))
            difference |= AttributeDifference.StorageClass;
        return difference;
    }

    /// <summary>True when two ETags name the same upload: quotes and letter case aside, and never when either is missing.</summary>
    public static bool SameETag(string? a, string? b)
    {
        var (x, y) = (a?.Trim('"'), b?.Trim('"'));
        return !string.IsNullOrEmpty(x) && string.Equals(x, y, StringComparison.OrdinalIgnoreCase);
    }

    private static bool SameHeaders(ObjectAttributes wanted, ObjectAttributes found) =>
        // A record without a content type was written without one, and the target then shows its own default.
        (wanted.ContentType is null || wanted.ContentType == found.ContentType)
        && wanted.CacheControl == found.CacheControl
        && wanted.ContentDisposition == found.ContentDisposition
        && wanted.ContentEncoding == found.ContentEncoding
        && wanted.ContentLanguage == found.ContentLanguage
        && SameExpires(wanted.Expires, found.Expires)
        && wanted.WebsiteRedirectLocation == found.WebsiteRedirectLocation;

    // Servers may answer Expires in another date format than the one written; the same instant is the same header.
    private static bool SameExpires(string? a, string? b)
    {
        if (a == b)
            return true;
        var styles = System.Globalization.DateTimeStyles.AssumeUniversal;
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return DateTimeOffset.TryParse(a, culture, styles, out var x) && DateTimeOffset.TryParse(b, culture, styles, out var y) && x == y;
    }

    /// <summary>True when two storage classes are the same, no class and STANDARD being one.</summary>
    public static bool SameStorageClass(string? a, string? b) =>
        IsStandard(a) ? IsStandard(b) : string.Equals(a, b, StringComparison.Ordinal);

    private static bool IsStandard(string? storageClass) => storageClass is null or "STANDARD";

    private static bool SameEntries(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(entry => b.TryGetValue(entry.Key, out var value) && string.Equals(value, entry.Value, StringComparison.Ordinal));
}
