using System.Text.Json.Serialization;
using Lifeboat.Postgres;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>What 'restore postgres --json' prints.</summary>
internal sealed record PostgresRestoreSummary(string Id, string TargetDatabase, bool Verified, double Seconds, IReadOnlyList<TableCheck> Tables, long LargeObjects);

/// <summary>What 'restore postgres --dry-run --json' prints: the backup, where it would go, what it would replace, and whether the restore would be allowed.</summary>
internal sealed record PostgresRestorePlanSummary(
    bool DryRun,
    string Id,
    string Name,
    DateTimeOffset StartedAt,
    long SizeBytes,
    long StoredBytes,
    string Server,
    string TargetDatabase,
    IReadOnlyList<TableRowCount> Tables,
    long LargeObjects,
    IReadOnlyList<ExtensionInfo> Extensions,
    ExistingDatabase? ExistingDatabase,
    bool Replaces,
    int Jobs,
    string? SpoolDirectory,
    bool Allowed,
    string? Refusal);

/// <summary>What 'backup postgres --dry-run --json' prints.</summary>
internal sealed record PostgresBackupPlanSummary(
    bool DryRun,
    string Source,
    string Name,
    string Server,
    string Database,
    string ServerVersion,
    string PgDumpVersion,
    int Tables,
    IReadOnlyList<ExtensionInfo> Extensions,
    long EstimatedBytes,
    IReadOnlyList<string>? LockedTables,
    string Repository);

/// <summary>Source-generated JSON for PostgreSQL's own command output (no reflection at start-up).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(PostgresRestoreSummary))]
[JsonSerializable(typeof(PostgresRestorePlanSummary))]
[JsonSerializable(typeof(PostgresBackupPlanSummary))]
internal sealed partial class PostgresCliJson : JsonSerializerContext;
