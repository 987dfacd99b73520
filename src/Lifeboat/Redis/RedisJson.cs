using System.Text.Json.Serialization;

namespace Lifeboat.Redis;

/// <summary>Source-generated JSON for what Redis backups record in their manifests (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(RedisSnapshotInfo))]
internal sealed partial class RedisJson : JsonSerializerContext;
