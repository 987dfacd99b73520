using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeboat.Repository;

/// <summary>Source-generated JSON for everything the repository stores, so no reflection runs at start-up.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BackupManifest))]
[JsonSerializable(typeof(RepositoryConfig))]
[JsonSerializable(typeof(LockRecord))]
internal sealed partial class RepositoryJson : JsonSerializerContext
{
    /// <summary>Parses JSON, turning syntax errors into an error that names the object.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string objectName)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type)
                ?? throw new DamagedRecordException($"object '{objectName}' holds no {typeof(T).Name}") { Remedy = new(RemedyAction.FindDamagedObjects) };
        }
        catch (JsonException e)
        {
            throw new DamagedRecordException($"object '{objectName}' is not a valid {typeof(T).Name}: {e.Message}", inner: e) { Remedy = new(RemedyAction.FindDamagedObjects) };
        }
    }
}
