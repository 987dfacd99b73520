using System.Text.Json.Serialization;
using Lifeboat.Postgres;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>What 'restore postgres --json' prints.</summary>
internal sealed record PostgresRestoreSummary(string Id, string TargetDatabase, bool Verified, double Seconds, IReadOnlyList<TableCheck> Tables, long LargeObjects);

/// <summary>Source-generated JSON for PostgreSQL's own command output (no reflection at start-up).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(PostgresRestoreSummary))]
internal sealed partial class PostgresCliJson : JsonSerializerContext;
