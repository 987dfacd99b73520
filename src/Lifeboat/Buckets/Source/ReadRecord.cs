using Lifeboat.Buckets.Index;

namespace Lifeboat.Buckets.Source;

/// <summary>
/// The index record of a version this run read, as its journal keeps it for a run that follows an interruption: the
/// listing's identity filled with what the read found, as the seal fills a pending record.
/// </summary>
public static class ReadRecord
{
    /// <summary>The record of <paramref name="entry"/> read as <paramref name="outcome"/>; the outcome must not be gone.</summary>
    public static BucketObjectRecord Of(ListingEntry entry, ReadOutcome outcome)
    {
        var content = outcome.Content ?? throw new ArgumentException("a read that found the object gone has no record", nameof(outcome));
        var read = outcome.Attributes ?? ObjectAttributes.None;
        var replaced = outcome.Replaced;
        return new BucketObjectRecord
        {
            Key = entry.Key,
            VersionId = entry.VersionId,
            Latest = entry.IsLatest,
            LastModified = IndexTime.Truncate(replaced?.LastModified ?? entry.LastModified),
            Size = content.Size,
            ETag = replaced?.ETag ?? entry.ETag,
            Sha256 = content.Sha256,
            // The listing's storage class wins, as in the seal: a GET leaves out STANDARD.
            Attributes = read with { StorageClass = entry.StorageClass ?? read.StorageClass },
        };
    }
}
