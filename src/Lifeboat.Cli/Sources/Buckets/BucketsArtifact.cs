using Lifeboat.Buckets.History;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>What 'cat' writes of a bucket snapshot: one object, by key (and --version), as its source held it.</summary>
internal static class BucketsArtifact
{
    /// <summary>Opens the object the request names; a snapshot has no artifact without a key.</summary>
    public static Task<Stream> OpenAsync(ArtifactRequest request, CancellationToken cancellationToken)
    {
        if (request.Name is not { Length: > 0 } key)
        {
            throw new LifeboatException(
                $"backup {request.Backup.Id} is a bucket snapshot: name the object to write",
                $"lifeboat cat {request.Backup.Id} KEY [--version V]; 'lifeboat versions --key KEY' lists a key's versions",
                FailureKind.Usage);
        }

        return new SnapshotObject(request.Repository).OpenAsync(request.Backup, key, request.Version, request.Warn, cancellationToken);
    }
}
