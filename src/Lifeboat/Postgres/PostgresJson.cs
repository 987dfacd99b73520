using System.Text.Json.Serialization;

namespace Lifeboat.Postgres;

/// <summary>Source-generated JSON for what PostgreSQL backups record in their manifests (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(PostgresDumpInfo))]
[JsonSerializable(typeof(BaseBackupInfo))]
internal sealed partial class PostgresJson : JsonSerializerContext;
