using Amazon.S3;
using Amazon.S3.Model;

namespace Lifeboat.Buckets.Target;

/// <summary>
/// Recorded attributes onto write requests (content headers, user metadata, website redirect, tags, storage class);
/// <see cref="ResponseAttributes"/> reads them back from a HEAD.
/// </summary>
internal static class TargetAttributes
{
    /// <summary>The class every server has; sending it is the same as sending none.</summary>
    public const string StandardClass = "STANDARD";

    /// <summary>Puts the headers and user metadata of <paramref name="attributes"/> on a request.</summary>
    public static void Apply(ObjectAttributes attributes, HeadersCollection headers, MetadataCollection metadata)
    {
        headers.ContentType = attributes.ContentType;
        headers.CacheControl = attributes.CacheControl;
        headers.ContentDisposition = attributes.ContentDisposition;
        headers.ContentEncoding = attributes.ContentEncoding;
        headers.ContentLanguage = attributes.ContentLanguage;
        // The raw string as recorded: servers disagree on Expires' date format, and a parsed date would change it.
        headers["Expires"] = attributes.Expires;
        foreach (var (name, value) in attributes.Metadata)
            metadata[name] = value;
    }

    /// <summary>The tag set of <paramref name="attributes"/>, or null when it has none.</summary>
    public static List<Tag>? TagSet(ObjectAttributes attributes) =>
        attributes.Tags.Count == 0 ? null : [.. attributes.Tags.Select(t => new Tag { Key = t.Key, Value = t.Value })];

    /// <summary>The storage class to ask for: null for none, for STANDARD, and for one the target already refused.</summary>
    public static S3StorageClass? StorageClass(ObjectAttributes attributes, string? refused) =>
        attributes.StorageClass is { } name && !IsStandard(name) && name != refused ? S3StorageClass.FindValue(name) : null;

    /// <summary>True for no class or STANDARD, which mean the same.</summary>
    public static bool IsStandard(string? storageClass) => storageClass is null || storageClass == StandardClass;
}
