using Amazon.S3;
using Amazon.S3.Model;

namespace Lifeboat.Buckets;

/// <summary>
/// What a GET or HEAD answered about an object, as <see cref="ObjectAttributes"/> in the shape the index records them:
/// content headers, user metadata (names lower-case, without x-amz-meta-), website redirect and storage class. Tags
/// need their own request, so they are left out.
/// </summary>
internal static class ResponseAttributes
{
    private const string MetadataPrefix = "x-amz-meta-";

    /// <summary>The attributes a GET answered.</summary>
    public static ObjectAttributes Of(GetObjectResponse response) =>
        Of(response.Metadata, response.Headers, response.ContentLanguage, response.ExpiresString, response.WebsiteRedirectLocation, response.StorageClass);

    /// <summary>The attributes a HEAD answered.</summary>
    public static ObjectAttributes Of(GetObjectMetadataResponse response) =>
        Of(response.Metadata, response.Headers, response.ContentLanguage, response.ExpiresString, response.WebsiteRedirectLocation, response.StorageClass);

    private static ObjectAttributes Of(
        MetadataCollection metadata, HeadersCollection headers, string? contentLanguage, string? expires, string? redirect, S3StorageClass? storageClass)
    {
        var bare = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in metadata.Keys)
        {
            var withoutPrefix = name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase) ? name[MetadataPrefix.Length..] : name;
            bare[withoutPrefix.ToLowerInvariant()] = metadata[name];
        }

        return new ObjectAttributes
        {
            ContentType = NullIfEmpty(headers.ContentType),
            CacheControl = NullIfEmpty(headers.CacheControl),
            ContentDisposition = NullIfEmpty(headers.ContentDisposition),
            ContentEncoding = NullIfEmpty(headers.ContentEncoding),
            ContentLanguage = NullIfEmpty(contentLanguage ?? headers.ContentLanguage),
            Expires = NullIfEmpty(expires),
            WebsiteRedirectLocation = NullIfEmpty(redirect),
            Metadata = bare,
            StorageClass = NullIfEmpty(storageClass?.Value),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
