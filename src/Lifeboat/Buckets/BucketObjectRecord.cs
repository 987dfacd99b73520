namespace Lifeboat.Buckets;

/// <summary>One version or delete marker of a source object, as a snapshot's index records it (docs/FORMAT.md, buckets).</summary>
/// <remarks>
/// Records of one key are ordered newest first. A delete marker has no content members. The record holds no
/// location: <see cref="Sha256"/> is the content address, so prune can move blobs without rewriting any index.
/// </remarks>
public sealed record BucketObjectRecord
{
    /// <summary>The version id an unversioned source reports, and the one Lifeboat gives its own history.</summary>
    public const string NullVersion = "null";

    /// <summary>The key, verbatim (no Unicode normalisation: NFC and NFD spellings are different keys).</summary>
    public required string Key { get; init; }

    /// <summary>The source's version id; <see cref="NullVersion"/> for unversioned sources.</summary>
    public required string VersionId { get; init; }

    /// <summary>The source listed it as the key's current version (or marker) in this snapshot's run.</summary>
    public bool Latest { get; init; }

    /// <summary>A delete marker rather than a version with content.</summary>
    public bool DeleteMarker { get; init; }

    /// <summary>The listing's last-modified time, to the millisecond (UTC).</summary>
    public required DateTimeOffset LastModified { get; init; }

    /// <summary>Content length in bytes; 0 for a delete marker.</summary>
    public long Size { get; init; }

    /// <summary>The source's ETag without quotes; a hint only, never a content identity. Null for a delete marker.</summary>
    public string? ETag { get; init; }

    /// <summary>SHA-256 of the bytes Lifeboat read, lower-case hex: the content address. Null for a delete marker.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Headers, metadata, tags and storage class.</summary>
    public ObjectAttributes Attributes { get; init; } = ObjectAttributes.None;

    /// <summary>When the first run that no longer listed this version ran; set once, then carried unchanged.</summary>
    public DateTimeOffset? GoneFromSourceAt { get; init; }

    /// <summary>A delete marker Lifeboat made for a key that vanished from an unversioned source.</summary>
    public bool Synthesized { get; init; }

    /// <summary>True for a version the source no longer lists (expired, deleted, or overwritten when unversioned).</summary>
    public bool IsGoneFromSource => GoneFromSourceAt is not null;
}
