namespace Lifeboat.Postgres;

/// <summary>What a dump would take, worked out without writing anything: the server, its database and the size pg_dump would write, roughly.</summary>
public sealed record BackupPlan
{
    /// <summary>host:port/database, as messages name it.</summary>
    public required string Server { get; init; }

    /// <summary>The database that would be dumped.</summary>
    public required string Database { get; init; }

    /// <summary>server_version of the source server.</summary>
    public required string ServerVersion { get; init; }

    /// <summary>pg_dump's version line.</summary>
    public required string PgDumpVersion { get; init; }

    /// <summary>How many user tables the dump would count rows of.</summary>
    public required int Tables { get; init; }

    /// <summary>The installed extensions.</summary>
    public required IReadOnlyList<ExtensionInfo> Extensions { get; init; }

    /// <summary>The archive's size as guessed before pg_dump starts (the progress bar's first estimate).</summary>
    public required long EstimatedBytes { get; init; }

    /// <summary>
    /// Tables another session holds an ACCESS EXCLUSIVE lock on, which the backup's pg_dump would wait for (the estimate
    /// then comes from the planner's statistics); null when none was locked.
    /// </summary>
    public IReadOnlyList<string>? LockedTables { get; init; }

    /// <summary>What the locks would do to the backup, as a sentence; null when no table was locked.</summary>
    public string? LockNote => LockedTables is { } locked
        ? $"{PostgresDumpBackup.LockedTablesText(locked)}: the backup's pg_dump would wait up to {SnapshotCatalog.LockWait.TotalMinutes:0} min for each lock, then fail"
        : null;
}
