using System.Text.Json.Serialization;

namespace Lifeboat.Repository;

/// <summary>The record that makes a backup exist: what it is, when, and every object it consists of.</summary>
public sealed record BackupManifest
{
    /// <summary>Version of the manifest layout.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>The backup's id.</summary>
    public required string Id { get; init; }

    /// <summary>The source type: "postgres", later "bucket", "redis".</summary>
    public required string Source { get; init; }

    /// <summary>The configured name of the source.</summary>
    public required string Name { get; init; }

    /// <summary>What kind of backup of that source, e.g. "dump".</summary>
    public required string Kind { get; init; }

    /// <summary>When the backup started (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the backup finished (UTC).</summary>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>The host that took the backup.</summary>
    public string Host { get; init; } = "";

    /// <summary>The Lifeboat version that took it.</summary>
    public string LifeboatVersion { get; init; } = "";

    /// <summary>Plaintext bytes of all objects.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Bytes stored in the repository for all objects (compressed and encrypted).</summary>
    public long StoredBytes { get; init; }

    /// <summary>The data objects, each with its plaintext checksum.</summary>
    public required IReadOnlyList<StoredObject> Objects { get; init; }

    /// <summary>What a PostgreSQL dump restore needs; null for other sources.</summary>
    public PostgresDumpInfo? Postgres { get; init; }
}

/// <summary>One data object of a backup.</summary>
/// <param name="Key">Key in the repository.</param>
/// <param name="Role">What the object is, e.g. "pg_dump-custom".</param>
/// <param name="SizeBytes">Plaintext length.</param>
/// <param name="StoredBytes">Stored (enveloped) length.</param>
/// <param name="Sha256">SHA-256 of the plaintext, lowercase hex.</param>
public sealed record StoredObject(string Key, string Role, long SizeBytes, long StoredBytes, string Sha256);

/// <summary>Facts about a PostgreSQL dump: versions, extensions and the exact row counts of its snapshot.</summary>
public sealed record PostgresDumpInfo
{
    /// <summary>The dumped database.</summary>
    public required string Database { get; init; }

    /// <summary>server_version of the source server.</summary>
    public required string ServerVersion { get; init; }

    /// <summary>pg_dump --version output.</summary>
    public required string PgDumpVersion { get; init; }

    /// <summary>PostGIS version, or null when PostGIS is not installed.</summary>
    public string? PostgisVersion { get; init; }

    /// <summary>Database encoding.</summary>
    public string Encoding { get; init; } = "UTF8";

    /// <summary>Database LC_COLLATE.</summary>
    public string Collate { get; init; } = "C.UTF-8";

    /// <summary>Database LC_CTYPE.</summary>
    public string CType { get; init; } = "C.UTF-8";

    /// <summary>The snapshot pg_dump read and the counts were taken in.</summary>
    public string Snapshot { get; init; } = "";

    /// <summary>The installed extensions.</summary>
    public IReadOnlyList<ExtensionInfo> Extensions { get; init; } = [];

    /// <summary>Row counts of every user table, counted inside the dump's snapshot.</summary>
    public IReadOnlyList<TableRowCount> Tables { get; init; } = [];

    /// <summary>Number of large objects.</summary>
    public long LargeObjects { get; init; }
}

/// <summary>An installed extension.</summary>
public sealed record ExtensionInfo(string Name, string Version, string Schema);

/// <summary>The exact number of rows of one table.</summary>
public sealed record TableRowCount(string Schema, string Table, long Rows)
{
    /// <summary>The table's size on disk (pg_table_size) when it was counted; a parallel restore starts on the largest first. Null in older manifests.</summary>
    public long? Bytes { get; init; }

    /// <summary>schema.table, quoted where needed, for display.</summary>
    [JsonIgnore]
    public string QualifiedName => $"{Schema}.{Table}";
}
