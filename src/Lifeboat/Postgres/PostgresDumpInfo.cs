using System.Text.Json.Serialization;
using Lifeboat.Repository;

namespace Lifeboat.Postgres;

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
    public required IReadOnlyList<ExtensionInfo> Extensions { get; init; }

    /// <summary>Row counts of every user table, counted inside the dump's snapshot.</summary>
    public required IReadOnlyList<TableRowCount> Tables { get; init; }

    /// <summary>Number of large objects.</summary>
    public long LargeObjects { get; init; }

    /// <summary>The dump details a manifest records; a manifest of another kind is refused by name.</summary>
    public static PostgresDumpInfo Of(BackupManifest manifest)
    {
        if (manifest.Source != PostgresDumpBackup.SourceType || manifest.Kind != PostgresDumpBackup.Kind)
        {
            throw new LifeboatException(
                $"backup {manifest.Id} is a {manifest.Source} {manifest.Kind} backup of '{manifest.Name}', not a PostgreSQL dump",
                $"choose a {PostgresDumpBackup.SourceType} {PostgresDumpBackup.Kind} backup",
                FailureKind.Usage)
            {
                Remedy = new(RemedyAction.ListBackups, PostgresDumpBackup.SourceType),
            };
        }

        return manifest.DetailsAs(PostgresJson.Default.PostgresDumpInfo);
    }

    /// <summary>This record as a manifest's details.</summary>
    public System.Text.Json.JsonElement ToDetails() => BackupManifest.DetailsOf(this, PostgresJson.Default.PostgresDumpInfo);
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
