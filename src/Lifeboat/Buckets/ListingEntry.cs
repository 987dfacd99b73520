namespace Lifeboat.Buckets;

/// <summary>One row of a source listing: a version or delete marker (ListObjectVersions), or an object (ListObjectsV2).</summary>
/// <remarks>
/// A ListObjectsV2 row has <see cref="BucketObjectRecord.NullVersion"/> as its version and <see cref="IsLatest"/> true.
/// Rows come in UTF-8 key order, and within a key newest first, as S3 lists them.
/// </remarks>
/// <param name="Key">The key, verbatim.</param>
/// <param name="VersionId">The version id, or <see cref="BucketObjectRecord.NullVersion"/>.</param>
/// <param name="IsLatest">The key's current version or marker.</param>
/// <param name="IsDeleteMarker">A delete marker.</param>
/// <param name="LastModified">The listed time, to the millisecond.</param>
/// <param name="Size">Bytes; 0 for a delete marker.</param>
/// <param name="ETag">The ETag without quotes; null for a delete marker.</param>
/// <param name="StorageClass">The listed storage class, or null.</param>
public sealed record ListingEntry(
    string Key,
    string VersionId,
    bool IsLatest,
    bool IsDeleteMarker,
    DateTimeOffset LastModified,
    long Size,
    string? ETag,
    string? StorageClass = null);
