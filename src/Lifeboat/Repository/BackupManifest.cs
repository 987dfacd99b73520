using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Lifeboat.Repository;

/// <summary>The record that makes a backup exist: what it is, when, and every object it consists of.</summary>
public sealed record BackupManifest
{
    /// <summary>The manifest layout this build writes: 2 keeps source details under "details" (FORMAT.md §4).</summary>
    public const int CurrentFormatVersion = 2;

    /// <summary>Version of the manifest layout.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The backup's id.</summary>
    public required string Id { get; init; }

    /// <summary>The source type, e.g. "postgres"; also the first folder of the backup's keys.</summary>
    public required string Source { get; init; }

    /// <summary>The configured name of the source.</summary>
    public required string Name { get; init; }

    /// <summary>What kind of backup of that source, e.g. "dump".</summary>
    public required string Kind { get; init; }

    /// <summary>When the backup started (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the backup finished (UTC).</summary>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>The host that took the backup.</summary>
    public string Host { get; init; } = "";

    /// <summary>The Lifeboat version that took it.</summary>
    public string LifeboatVersion { get; init; } = "";

    /// <summary>Plaintext bytes of all objects.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Bytes stored in the repository for all objects (compressed and encrypted).</summary>
    public long StoredBytes { get; init; }

    /// <summary>The data objects, each with its plaintext checksum.</summary>
    public required IReadOnlyList<StoredObject> Objects { get; init; }

    /// <summary>
    /// The source's own record of what the backup holds and what a restore needs, written and read by that
    /// source with its own JSON contract; the repository stores it without looking inside. Large indexes
    /// (a bucket's keys) belong in a data object it points to, never here: every listing reads manifests whole.
    /// </summary>
    public JsonElement? Details { get; init; }

    /// <summary>Reads <see cref="Details"/> as the source's record; a manifest without it, or with another shape, is damage.</summary>
    public T DetailsAs<T>(JsonTypeInfo<T> type)
    {
        if (Details is not { ValueKind: JsonValueKind.Object } details)
            throw new DamagedRecordException($"the manifest of backup {Id} ({Source}/{Name}) records no {Source} details") { Remedy = new(RemedyAction.CheckRepository) };
        try
        {
            return details.Deserialize(type) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new DamagedRecordException($"the {Source} details in the manifest of backup {Id} are not valid: {e.Message}", inner: e) { Remedy = new(RemedyAction.CheckRepository) };
        }
    }

    /// <summary>Turns a source's record into <see cref="Details"/>.</summary>
    public static JsonElement DetailsOf<T>(T details, JsonTypeInfo<T> type) => JsonSerializer.SerializeToElement(details, type);
}

/// <summary>One data object of a backup.</summary>
/// <param name="Key">Key in the repository.</param>
/// <param name="Role">What the object is, e.g. "pg_dump-custom".</param>
/// <param name="SizeBytes">Plaintext length.</param>
/// <param name="StoredBytes">Stored (enveloped) length.</param>
/// <param name="Sha256">SHA-256 of the plaintext, lowercase hex.</param>
public sealed record StoredObject(string Key, string Role, long SizeBytes, long StoredBytes, string Sha256);

