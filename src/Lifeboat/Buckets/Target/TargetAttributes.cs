using Amazon.S3;
using Amazon.S3.Model;

namespace Lifeboat.Buckets.Target;

/// <summary>
/// Recorded attributes onto write requests (content headers, user metadata, website redirect, tags, storage class),
/// and a HEAD's answer back into attributes, in the same shape the backup recorded them in.
/// </summary>
internal static class TargetAttributes
{
    private const string MetadataPrefix = "x-amz-meta-";

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

    /// <summary>The attributes a HEAD answered, tags left out (they need their own request).</summary>
    public static ObjectAttributes Of(GetObjectMetadataResponse response)
    {
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in response.Metadata.Keys)
        {
            var bare = name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase) ? name[MetadataPrefix.Length..] : name;
            metadata[bare.ToLowerInvariant()] = response.Metadata[name];
        }

        var headers = response.Headers;
        return new ObjectAttributes
        {
            ContentType = NullIfEmpty(headers.ContentType),
            CacheControl = NullIfEmpty(headers.CacheControl),
            ContentDisposition = NullIfEmpty(headers.ContentDisposition),
            ContentEncoding = NullIfEmpty(headers.ContentEncoding),
            ContentLanguage = NullIfEmpty(response.ContentLanguage ?? headers.ContentLanguage),
            Expires = NullIfEmpty(response.ExpiresString),
            WebsiteRedirectLocation = NullIfEmpty(response.WebsiteRedirectLocation),
            Metadata = metadata,
            StorageClass = NullIfEmpty(response.StorageClass?.Value),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
