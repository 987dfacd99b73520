using System.Text.Json.Serialization;

namespace Lifeboat.Format;

/// <summary>A key slot as stored: the JSON shape FORMAT.md documents.</summary>
internal sealed class KeySlotDocument
{
    public required int Version { get; init; }

    public required string Id { get; init; }

    public required string Kind { get; init; }

    public required string KeyId { get; init; }

    public required DateTimeOffset Created { get; init; }

    /// <summary>The operator's name for the slot ("ops-2026"); absent in slots made without one and before labels existed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Label { get; init; }

    public required KdfDocument Kdf { get; init; }

    public required WrapDocument Wrap { get; init; }
}

/// <summary>The "kdf" member: algorithm, salt, and Argon2id costs for passphrase slots.</summary>
internal sealed class KdfDocument
{
    public required string Algorithm { get; init; }

    public required byte[] Salt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MemoryKiB { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Iterations { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Parallelism { get; init; }
}

/// <summary>The "wrap" member: the AES-256-GCM nonce and the wrapped data key with its tag.</summary>
internal sealed class WrapDocument
{
    public required string Algorithm { get; init; }

    public required byte[] Nonce { get; init; }

    public required byte[] Ciphertext { get; init; }
}

/// <summary>Source-generated JSON for key slots: camelCase, indented, nulls rejected where the type forbids them.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    RespectNullableAnnotations = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(KeySlotDocument))]
internal sealed partial class KeySlotJsonContext : JsonSerializerContext;
