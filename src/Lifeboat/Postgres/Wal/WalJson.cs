using System.Text.Json.Serialization;

namespace Lifeboat.Postgres.Wal;

/// <summary>Source-generated JSON for the WAL archive's own records (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(WalArchiveIdentity))]
[JsonSerializable(typeof(WalSegmentRecord))]
internal sealed partial class WalJson : JsonSerializerContext;
