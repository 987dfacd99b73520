using System.Text.Json.Serialization;

namespace Lifeboat.Postgres;

/// <summary>Source-generated JSON for what PostgreSQL backups record in their manifests (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PostgresDumpInfo))]
internal sealed partial class PostgresJson : JsonSerializerContext;
