using System.Globalization;
using Lifeboat.Cli.Output;
using Lifeboat.Redis;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>What a Redis snapshot recorded, as 'show' and 'list' print it: the server, the RDB, and each database's keys.</summary>
internal static class RedisBackupDescription
{
    /// <summary>The snapshot's sections; null for a kind of Redis backup this build does not know.</summary>
    public static IReadOnlyList<DetailSection>? Of(BackupManifest manifest)
    {
        if (manifest.Kind != RedisBackup.Kind)
            return null;
        var info = RedisSnapshotInfo.Of(manifest);
        return [Server(info), Keyspace(info)];
    }

    /// <summary>"11,234 keys" for 'list', null for another kind or when the details do not read.</summary>
    public static string? KindDetail(BackupManifest manifest)
    {
        if (manifest.Kind != RedisBackup.Kind)
            return null;
        try
        {
            return $"{Count(RedisSnapshotInfo.Of(manifest).TotalKeys)} keys";
        }
        catch (DamagedRecordException)
        {
            return null; // the listing warns about the details once, from the summary fields
        }
    }

    private static DetailSection Server(RedisSnapshotInfo info) => DetailSection.Facts(
        "redis",
        ("redis version", info.RedisVersion),
        ("role", info.Role),
        ("rdb version", Count(info.RdbVersion)),
        ("rdb size", $"{ByteSize.Format(info.RdbBytes)} ({Count(info.RdbBytes)} bytes)"),
        ("crc64", info.Crc64 ?? "off (the server writes RDBs without checksums)"),
        ("transfer", info.Transfer),
        ("used memory", info.UsedMemory is { } used ? ByteSize.Format(used) : "not recorded"),
        ("append-only file", info.AofEnabled ? "on" : "off"));

    // The RDB's own counts when the backup took them; INFO keyspace, read as the backup began, for older backups.
    private static DetailSection Keyspace(RedisSnapshotInfo info)
    {
        var keyspace = info.RdbKeyspace ?? info.Keyspace;
        var from = info.RdbKeyspace is null ? "by INFO keyspace" : "counted in the RDB";
        return new(
            $"databases ({keyspace.Count}, {Count(keyspace.Sum(d => d.Keys))} keys, {from})",
            [new("DB", Numeric: true), new("KEYS", Numeric: true), new("WITH EXPIRY", Numeric: true)],
            [.. keyspace.Select(d => (IReadOnlyList<string>)[Count(d.Database), Count(d.Keys), Count(d.Expires)])]);
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
