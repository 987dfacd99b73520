namespace Lifeboat.Buckets.Restore;

/// <summary>The bucket and prefix a bucket source is configured with.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Prefix">The key prefix backed up; "" for the whole bucket.</param>
public sealed record ConfiguredSource(string Bucket, string Prefix);
