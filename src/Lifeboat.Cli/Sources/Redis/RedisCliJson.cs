using System.Text.Json.Serialization;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>What 'restore redis --json' prints.</summary>
/// <param name="Id">The backup restored.</param>
/// <param name="RdbFile">The RDB written (the base file of an append-only directory).</param>
/// <param name="Bytes">Its size.</param>
/// <param name="AofDirectory">The append-only directory laid out, or null.</param>
internal sealed record RedisRestoreSummary(string Id, string RdbFile, long Bytes, string? AofDirectory);

/// <summary>Source-generated JSON for the redis commands' output (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(RedisRestoreSummary))]
internal sealed partial class RedisCliJson : JsonSerializerContext;
