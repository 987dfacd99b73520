using Lifeboat.Repository;

namespace Lifeboat.Postgres;

/// <summary>What a restore would do, worked out without changing anything: the backup, where it would go, what it would replace.</summary>
public sealed record RestorePlan
{
    /// <summary>The backup that would be restored.</summary>
    public required BackupManifest Backup { get; init; }

    /// <summary>Its dump's facts: tables and row counts, extensions, encoding.</summary>
    public required PostgresDumpInfo Info { get; init; }

    /// <summary>host:port of the server the restore would write to.</summary>
    public required string Server { get; init; }

    /// <summary>The database the restore would leave in place.</summary>
    public required string TargetDatabase { get; init; }

    /// <summary>The database of that name as it is now; null when there is none.</summary>
    public ExistingDatabase? Existing { get; init; }

    /// <summary>Where a parallel restore would spool the archive's tables; null for a streamed restore.</summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>pg_restore's version line; null when the restore would refuse before it looked for pg_restore.</summary>
    public string? PgRestoreVersion { get; init; }

    /// <summary>Why the restore itself would refuse, as it would say it; null when it would go ahead.</summary>
    public LifeboatException? Refusal { get; init; }
}

/// <summary>A database a restore would replace, as it is now.</summary>
/// <param name="SizeBytes">pg_database_size; null when the user lacks CONNECT on it, which that function needs.</param>
/// <param name="Tables">Its user tables; null when it could not be connected to and counted.</param>
public sealed record ExistingDatabase(long? SizeBytes, int? Tables);
