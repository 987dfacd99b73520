using Lifeboat.Repository;

namespace Lifeboat.Redis;

/// <summary>What a Redis snapshot records: the server it came from and the RDB as it was checked while it streamed.</summary>
public sealed record RedisSnapshotInfo
{
    /// <summary>redis_version of the server.</summary>
    public required string RedisVersion { get; init; }

    /// <summary>The RDB version from the file's header.</summary>
    public required int RdbVersion { get; init; }

    /// <summary>Bytes of the RDB.</summary>
    public required long RdbBytes { get; init; }

    /// <summary>The CRC-64 of its trailer as 16 hex digits; null when the server wrote it with checksums off.</summary>
    public string? Crc64 { get; init; }

    /// <summary>How the server sent it: "disk" (written to a file first, "$length") or "diskless" (streamed from the fork, "$EOF:mark").</summary>
    public required string Transfer { get; init; }

    /// <summary>INFO keyspace when the backup began: keys and keys with an expiry time, per database.</summary>
    public required IReadOnlyList<RedisKeyspace> Keyspace { get; init; }

    /// <summary>
    /// The keys and keys with an expiry time of each database as the RDB itself holds them, counted while it streamed;
    /// null for a backup taken before Lifeboat counted them, or of an RDB holding what its reader cannot read.
    /// </summary>
    public IReadOnlyList<RedisKeyspace>? RdbKeyspace { get; init; }

    /// <summary>used_memory in bytes, or null when INFO did not say.</summary>
    public long? UsedMemory { get; init; }

    /// <summary>Whether the server kept an append-only file (aof_enabled).</summary>
    public required bool AofEnabled { get; init; }

    /// <summary>The server's role: master, or slave for a replica.</summary>
    public required string Role { get; init; }

    /// <summary>The keys of every database: as counted in the RDB, else by INFO keyspace.</summary>
    public long TotalKeys => (RdbKeyspace ?? Keyspace).Sum(d => d.Keys);

    /// <summary>The snapshot details a manifest records; a manifest of another kind is refused by name.</summary>
    public static RedisSnapshotInfo Of(BackupManifest manifest)
    {
        if (manifest.Source != RedisBackup.SourceType || manifest.Kind != RedisBackup.Kind)
        {
            throw new LifeboatException(
                $"backup {manifest.Id} is a {manifest.Source} {manifest.Kind} backup of '{manifest.Name}', not a Redis snapshot",
                $"choose a {RedisBackup.SourceType} {RedisBackup.Kind} backup",
                FailureKind.Usage);
        }

        return manifest.DetailsAs(RedisJson.Default.RedisSnapshotInfo);
    }

    /// <summary>This record as a manifest's details.</summary>
    public System.Text.Json.JsonElement ToDetails() => BackupManifest.DetailsOf(this, RedisJson.Default.RedisSnapshotInfo);
}
