using System.Text.Json;
using System.Text.Json.Serialization;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Output;

/// <summary>What 'init --json' prints.</summary>
internal sealed record InitSummary(string Repository, string Id, string? KeyFile, bool KeyFileCreated);

/// <summary>What 'backup --json' prints, and each element of 'list --json': the same fields for every source, then the source's own.</summary>
internal sealed record BackupSummary
{
    public string Id { get; init; } = "";

    public string Source { get; init; } = "";

    public string Name { get; init; } = "";

    public string Kind { get; init; } = "";

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; init; }

    public long SizeBytes { get; init; }

    public long StoredBytes { get; init; }

    /// <summary>What 'list' shows after the kind (a base backup's stop position and timeline); not part of the JSON.</summary>
    [JsonIgnore]
    public string? KindDetail { get; init; }

    /// <summary>The source's own fields (a dump's database and table count), written after the common ones.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? SourceFields { get; set; }

    public static BackupSummary Of(BackupManifest m, Dictionary<string, JsonElement> sourceFields) => new()
    {
        Id = m.Id,
        Source = m.Source,
        Name = m.Name,
        Kind = m.Kind,
        StartedAt = m.StartedAt,
        FinishedAt = m.FinishedAt,
        SizeBytes = m.SizeBytes,
        StoredBytes = m.StoredBytes,
        SourceFields = sourceFields,
    };
}

/// <summary>What 'check --json' prints; <c>Sources</c> is what each source's own check found (PostgreSQL: its WAL archive), whose problems are in <c>Problems</c> too.</summary>
internal sealed record CheckSummary(int Backups, int ObjectsChecked, int ObjectsPresent, int ObjectsRead, IReadOnlyList<string> Problems, IReadOnlyList<Sources.SourceCheckResult>? Sources = null);

/// <summary>What 'migrate --json' prints.</summary>
internal sealed record MigrateSummary(int FromVersion, int ToVersion, int Migrated, IReadOnlyList<string> Damaged);

/// <summary>What 'unlock --json' prints.</summary>
internal sealed record UnlockSummary(IReadOnlyList<LockRecord> Removed, IReadOnlyList<LockRecord> Remaining);

/// <summary>One key slot, as 'key list --json' and 'key add --json' print it; <c>Current</c> marks the slot the configured key opens, <c>Label</c> is null for a slot without one.</summary>
internal sealed record KeySlotSummary(string Id, string Kind, DateTimeOffset Created, bool Current, string? Label = null);

/// <summary>What 'key remove --json' prints.</summary>
internal sealed record KeyRemovedSummary(string Removed);

/// <summary>Source-generated JSON for command output (no reflection at start-up).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(InitSummary))]
[JsonSerializable(typeof(BackupSummary))]
[JsonSerializable(typeof(List<BackupSummary>))]
[JsonSerializable(typeof(BackupManifest))]
[JsonSerializable(typeof(CheckSummary))]
[JsonSerializable(typeof(UnlockSummary))]
[JsonSerializable(typeof(MigrateSummary))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(KeySlotSummary))]
[JsonSerializable(typeof(List<KeySlotSummary>))]
[JsonSerializable(typeof(KeyRemovedSummary))]
internal sealed partial class CliJson : JsonSerializerContext
{
    /// <summary>Writes one JSON document and a newline to stdout.</summary>
    public static void Print<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        Console.WriteLine(JsonSerializer.Serialize(value, type));

    /// <summary>A text value for a source's summary fields.</summary>
    public static JsonElement Text(string value) => JsonSerializer.SerializeToElement(value, Default.String);

    /// <summary>A number for a source's summary fields.</summary>
    public static JsonElement Number(long value) => JsonSerializer.SerializeToElement(value, Default.Int64);
}
