namespace Lifeboat.Buckets;

/// <summary>What a restore needs besides the bytes: content headers, user metadata, tags and storage class.</summary>
/// <remarks>
/// Null members were absent at the source. Metadata names are lower-case without the "x-amz-meta-" prefix. Equality
/// compares the dictionaries by content, so two reads of an unchanged object give equal attributes.
/// </remarks>
public sealed record ObjectAttributes
{
    // Declared before None, which is built from it.
    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>(0);

    /// <summary>Attributes of an object that had none.</summary>
    public static ObjectAttributes None { get; } = new();

    /// <summary>Content-Type.</summary>
    public string? ContentType { get; init; }

    /// <summary>Cache-Control.</summary>
    public string? CacheControl { get; init; }

    /// <summary>Content-Disposition.</summary>
    public string? ContentDisposition { get; init; }

    /// <summary>Content-Encoding.</summary>
    public string? ContentEncoding { get; init; }

    /// <summary>Content-Language.</summary>
    public string? ContentLanguage { get; init; }

    /// <summary>Expires, as the raw header string (servers disagree on its date format).</summary>
    public string? Expires { get; init; }

    /// <summary>x-amz-website-redirect-location.</summary>
    public string? WebsiteRedirectLocation { get; init; }

    /// <summary>User metadata (x-amz-meta-*), names lower-case without the prefix.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = Empty;

    /// <summary>The object's tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = Empty;

    /// <summary>The storage class; null when the source did not say (STANDARD).</summary>
    public string? StorageClass { get; init; }

    /// <inheritdoc />
    public bool Equals(ObjectAttributes? other) =>
        other is not null
        && ContentType == other.ContentType
        && CacheControl == other.CacheControl
        && ContentDisposition == other.ContentDisposition
        && ContentEncoding == other.ContentEncoding
        && ContentLanguage == other.ContentLanguage
        && Expires == other.Expires
        && WebsiteRedirectLocation == other.WebsiteRedirectLocation
        && StorageClass == other.StorageClass
        && SameEntries(Metadata, other.Metadata)
        && SameEntries(Tags, other.Tags);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(ContentType, CacheControl, ContentDisposition, ContentEncoding, ContentLanguage, StorageClass, Metadata.Count, Tags.Count);

    private static bool SameEntries(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(entry => b.TryGetValue(entry.Key, out var value) && string.Equals(value, entry.Value, StringComparison.Ordinal));
}
