using Lifeboat.Postgres.Wal;

namespace Lifeboat.Postgres;

/// <summary>What a base backup records: where in the WAL it starts and stops, of which cluster, with which tablespaces.</summary>
public sealed record BaseBackupInfo
{
    /// <summary>The label given to the server (also in the backup's backup_label).</summary>
    public required string Label { get; init; }

    /// <summary>The WAL position the backup starts at (its checkpoint's redo point), as PostgreSQL writes it.</summary>
    public required string StartPosition { get; init; }

    /// <summary>The WAL position it is consistent from: recovery must replay at least to here.</summary>
    public required string StopPosition { get; init; }

    /// <summary>The timeline it was taken on.</summary>
    public required uint Timeline { get; init; }

    /// <summary>The timeline it stopped on, as the server reported it; null in manifests written before it was recorded.</summary>
    public uint? StopTimeline { get; init; }

    /// <summary>The server's clock right after the backup stopped (clock_timestamp()); null in older manifests.</summary>
    public DateTimeOffset? StopClock { get; init; }

    /// <summary>The server's snapshot right after the backup stopped; null in older manifests.</summary>
    public BaseBackupSnapshot? StopSnapshot { get; init; }

    /// <summary>The first WAL segment recovery from it needs.</summary>
    public required string FirstSegment { get; init; }

    /// <summary>The last WAL segment it needs to become consistent.</summary>
    public required string LastSegment { get; init; }

    /// <summary>The cluster's system identifier, as text (it exceeds what JSON numbers carry exactly).</summary>
    public required string SystemId { get; init; }

    /// <summary>server_version of the cluster.</summary>
    public required string ServerVersion { get; init; }

    /// <summary>The cluster's WAL segment size in bytes.</summary>
    public required long SegmentSize { get; init; }

    /// <summary>Each tablespace: its archive, OID and location (null for the main data directory) and its size.</summary>
    public required IReadOnlyList<BaseBackupTablespaceInfo> Tablespaces { get; init; }

    /// <summary>Where the backup lies in the WAL, with the timelines it started and stopped on.</summary>
    public BackupWal Wal() =>
        new(Timeline, WalPosition.TryParse(StartPosition) ?? throw Damaged(nameof(StartPosition)), StopTimeline ?? Timeline, WalPosition.TryParse(StopPosition) ?? throw Damaged(nameof(StopPosition)));

    /// <summary>The base backup details a manifest records; a manifest of another kind is refused by name.</summary>
    public static BaseBackupInfo Of(Repository.BackupManifest manifest)
    {
        if (manifest.Source != PostgresDumpBackup.SourceType || manifest.Kind != PostgresBaseBackup.Kind)
        {
            throw new LifeboatException(
                $"backup {manifest.Id} is a {manifest.Source} {manifest.Kind} backup of '{manifest.Name}', not a PostgreSQL base backup",
                $"choose a {PostgresDumpBackup.SourceType} {PostgresBaseBackup.Kind} backup",
                FailureKind.Usage);
        }

        return manifest.DetailsAs(PostgresJson.Default.BaseBackupInfo);
    }

    /// <summary>This record as a manifest's details.</summary>
    public System.Text.Json.JsonElement ToDetails() => Repository.BackupManifest.DetailsOf(this, PostgresJson.Default.BaseBackupInfo);

    private LifeboatException Damaged(string field) =>
        new($"the base backup '{Label}' records no WAL position as its {field}", "the manifest is damaged; choose another base backup");
}

/// <summary>One tablespace of a base backup.</summary>
/// <param name="Archive">The archive holding it (base.tar for the main data directory).</param>
/// <param name="Oid">Its OID, or null for the main data directory.</param>
/// <param name="Location">Its directory on the server, or null for the main data directory.</param>
/// <param name="SizeBytes">Bytes of its archive.</param>
public sealed record BaseBackupTablespaceInfo(string Archive, uint? Oid, string? Location, long SizeBytes);
