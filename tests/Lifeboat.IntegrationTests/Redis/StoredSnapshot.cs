using Lifeboat.Redis;
using Lifeboat.Repository;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// Reads a Redis snapshot's RDB out of a repository, and stores given RDB bytes as a new snapshot through the library,
/// as a backup writes one: the object's envelope, size and SHA-256 are sound and match its manifest whatever the RDB
/// inside holds, so only a check of the RDB itself can find it damaged.
/// </summary>
internal static class StoredSnapshot
{
    /// <summary>The plain RDB of <paramref name="manifest"/>.</summary>
    public static async Task<byte[]> ReadRdbAsync(BackupRepository repository, BackupManifest manifest, CancellationToken cancellationToken)
    {
        await using var input = await repository.OpenObjectAsync(manifest.Objects.Single(o => o.Role == RedisBackup.RdbRole), cancellationToken);
        using var rdb = new MemoryStream();
        await input.CopyToAsync(rdb, cancellationToken);
        return rdb.ToArray();
    }

    /// <summary>
    /// Stores <paramref name="rdb"/> as a new, newer snapshot of the same source as <paramref name="like"/>, recording
    /// what <paramref name="like"/> recorded of the server and its keys; returns its manifest.
    /// </summary>
    public static async Task<BackupManifest> StoreAsync(BackupRepository repository, BackupManifest like, byte[] rdb, CancellationToken cancellationToken)
    {
        var startedAt = like.StartedAt.AddSeconds(1);
        var id = BackupId.New(startedAt);
        var key = RepositoryLayout.BackupFolder(RedisBackup.SourceType, like.Name, RedisBackup.Kind, id) + RedisBackup.RdbObject;
        StoredObject stored;
        await using (var writer = await repository.CreateObjectAsync(key, RedisBackup.RdbRole, cancellationToken))
        {
            await writer.Stream.WriteAsync(rdb, cancellationToken);
            stored = await writer.CompleteAsync(cancellationToken);
        }

        var manifest = like with
        {
            Id = id.Value,
            StartedAt = startedAt,
            FinishedAt = startedAt.AddSeconds(1),
            SizeBytes = stored.SizeBytes,
            StoredBytes = stored.StoredBytes,
            Objects = [stored],
            Details = (RedisSnapshotInfo.Of(like) with { RdbBytes = rdb.Length }).ToDetails(),
        };
        await repository.CommitManifestAsync(manifest, cancellationToken);
        return manifest;
    }
}
