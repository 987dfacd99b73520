namespace Lifeboat.Buckets.Index;

/// <summary>What the change rules need to know about the run.</summary>
/// <param name="ListedAt">When the run's listing began: the time of goneFromSourceAt and of synthesized delete markers.</param>
/// <param name="VersionedListing">The listing is of versions (ListObjectVersions); false for ListObjectsV2.</param>
public sealed record MergeSettings(DateTimeOffset ListedAt, bool VersionedListing);
