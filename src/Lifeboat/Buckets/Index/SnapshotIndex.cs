using Lifeboat.Repository;

namespace Lifeboat.Buckets.Index;

/// <summary>A snapshot's index as read back: its root object (the manifest's one object) and the root's segment table.</summary>
/// <param name="RootObject">The root as the manifest lists it.</param>
/// <param name="Root">The segment table.</param>
public sealed record SnapshotIndex(StoredObject RootObject, IndexRoot Root)
{
    /// <summary>True when the index already holds a segment of that name.</summary>
    public bool HasSegment(string sha256) => Root.Segments.Any(s => s.Sha256 == sha256);
}
