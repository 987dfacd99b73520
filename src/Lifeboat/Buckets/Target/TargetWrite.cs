namespace Lifeboat.Buckets.Target;

/// <summary>What writing one object produced on the target.</summary>
/// <param name="ETag">Its ETag without quotes, as the write answered it (radosgw completes a multipart upload with an empty one).</param>
/// <param name="VersionId">Its version id on a versioned target, else null.</param>
/// <param name="Parts">Parts of its multipart upload; 0 for one PutObject.</param>
public sealed record TargetWrite(string ETag, string? VersionId, int Parts);
