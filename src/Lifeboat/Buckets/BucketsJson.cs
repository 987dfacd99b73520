using System.Text.Json.Serialization;

namespace Lifeboat.Buckets;

/// <summary>Source-generated JSON for what bucket snapshots record in their manifests (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(BucketSnapshotInfo))]
internal sealed partial class BucketsJson : JsonSerializerContext;
