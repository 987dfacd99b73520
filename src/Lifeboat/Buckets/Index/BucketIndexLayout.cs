namespace Lifeboat.Buckets.Index;

/// <summary>Where a bucket's index objects lie in the repository (docs/FORMAT.md, buckets).</summary>
/// <param name="Name">The configured bucket source name.</param>
public sealed record BucketIndexLayout(string Name)
{
    /// <summary>The role of a root in a manifest's object list.</summary>
    public const string RootRole = "bucket-index-root";

    /// <summary>The role of a segment, for messages.</summary>
    public const string SegmentRole = "bucket-index-segment";

    /// <summary>The key of the segment named <paramref name="sha256"/>.</summary>
    public string SegmentKey(string sha256) => $"buckets/{Name}/index/{sha256}";

    /// <summary>The key of the root named <paramref name="sha256"/>.</summary>
    public string RootKey(string sha256) => $"buckets/{Name}/roots/{sha256}";
}
