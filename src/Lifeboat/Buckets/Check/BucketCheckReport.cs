using Lifeboat.Buckets.Content;

namespace Lifeboat.Buckets.Check;

/// <summary>What a <see cref="BucketCheck"/> of one bucket source looked at and found.</summary>
/// <param name="Snapshots">Snapshot manifests checked.</param>
/// <param name="Roots">Distinct index roots read and found in order.</param>
/// <param name="Segments">Distinct index segments read.</param>
/// <param name="Records">Index records read from them.</param>
/// <param name="Content">What the content check found (catalog, packs, and blobs read).</param>
/// <param name="Problems">Everything found wrong, the index's and the content's; empty when all is well.</param>
public sealed record BucketCheckReport(int Snapshots, int Roots, int Segments, long Records, ContentCheckReport Content, IReadOnlyList<ContentProblem> Problems)
{
    /// <summary>True when nothing was found wrong.</summary>
    public bool Healthy => Problems.Count == 0;
}
