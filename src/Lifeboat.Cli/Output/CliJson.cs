using System.Text.Json;
using System.Text.Json.Serialization;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Output;

/// <summary>What 'init --json' prints.</summary>
internal sealed record InitSummary(string Repository, string Id, string? KeyFile, bool KeyFileCreated);

/// <summary>What 'backup --json' prints, and each element of 'list --json'.</summary>
internal sealed record BackupSummary(string Id, string Source, string Name, string Kind, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, long SizeBytes, long StoredBytes, string? Database, int? Tables)
{
    public static BackupSummary Of(BackupManifest m) =>
        new(m.Id, m.Source, m.Name, m.Kind, m.StartedAt, m.FinishedAt, m.SizeBytes, m.StoredBytes, m.Postgres?.Database, m.Postgres?.Tables.Count);
}

/// <summary>What 'restore postgres --json' prints.</summary>
internal sealed record RestoreSummary(string Id, string TargetDatabase, bool Verified, double Seconds, IReadOnlyList<Postgres.TableCheck> Tables, long LargeObjects);

/// <summary>What 'check --json' prints.</summary>
internal sealed record CheckSummary(int Backups, int ObjectsChecked, int ObjectsRead, IReadOnlyList<string> Problems);

/// <summary>What 'unlock --json' prints.</summary>
internal sealed record UnlockSummary(IReadOnlyList<LockRecord> Removed, IReadOnlyList<LockRecord> Remaining);

/// <summary>One key slot, as 'key list --json' and 'key add --json' print it; <c>Current</c> marks the slot the configured key opens.</summary>
internal sealed record KeySlotSummary(string Id, string Kind, DateTimeOffset Created, bool Current);

/// <summary>What 'key remove --json' prints.</summary>
internal sealed record KeyRemovedSummary(string Removed);

/// <summary>Source-generated JSON for command output (no reflection at start-up).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(InitSummary))]
[JsonSerializable(typeof(BackupSummary))]
[JsonSerializable(typeof(List<BackupSummary>))]
[JsonSerializable(typeof(RestoreSummary))]
[JsonSerializable(typeof(CheckSummary))]
[JsonSerializable(typeof(UnlockSummary))]
[JsonSerializable(typeof(KeySlotSummary))]
[JsonSerializable(typeof(List<KeySlotSummary>))]
[JsonSerializable(typeof(KeyRemovedSummary))]
internal sealed partial class CliJson : JsonSerializerContext
{
    /// <summary>Writes one JSON document and a newline to stdout.</summary>
    public static void Print<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        Console.WriteLine(JsonSerializer.Serialize(value, type));
}
