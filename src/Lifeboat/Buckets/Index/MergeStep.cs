namespace Lifeboat.Buckets.Index;

/// <summary>What the change rules decided for one record of a key group: keep it as it is, or read the listed row first.</summary>
/// <param name="Record">The record; when a read is needed, what the listing says until the read fills it in.</param>
/// <param name="ReadOf">The listing row to read, or null when <paramref name="Record"/> is final.</param>
public readonly record struct MergeStep(BucketObjectRecord Record, ListingEntry? ReadOf = null);
