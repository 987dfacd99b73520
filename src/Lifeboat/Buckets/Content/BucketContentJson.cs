using System.Text.Json.Serialization;

namespace Lifeboat.Buckets.Content;

/// <summary>The content records' JSON, source-generated (AOT-safe); one object per line, camelCase, nulls left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PackTableEntry))]
[JsonSerializable(typeof(CatalogLine))]
internal sealed partial class BucketContentJson : JsonSerializerContext;
