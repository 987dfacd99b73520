using System.Text.Json;

namespace Lifeboat.Buckets.Index;

/// <summary>The members of one index line as they are read, before they make a record; unknown members are damage.</summary>
internal sealed class RecordFields
{
    private string? _key;
    private string? _versionId;
    private bool _latest;
    private bool _deleteMarker;
    private DateTimeOffset? _lastModified;
    private long _size;
    private string? _etag;
    private string? _sha256;
    private DateTimeOffset? _goneFromSourceAt;
    private bool _synthesized;
    private readonly AttributeFields _attributes = new();

    /// <summary>Reads the member whose name <paramref name="json"/> is on, and its value.</summary>
    public void ReadMember(ref Utf8JsonReader json)
    {
        var name = json.GetString()!;
        json.Read();
        switch (name)
        {
            case "key": _key = json.GetString(); break;
            case "versionId": _versionId = json.GetString(); break;
            case "latest": _latest = json.GetBoolean(); break;
            case "deleteMarker": _deleteMarker = json.GetBoolean(); break;
            case "lastModified": _lastModified = Time(json.GetString(), name); break;
            case "size": _size = json.GetInt64(); break;
            case "etag": _etag = json.GetString(); break;
            case "sha256": _sha256 = json.GetString(); break;
            case "goneFromSourceAt": _goneFromSourceAt = Time(json.GetString(), name); break;
            case "synthesized": _synthesized = json.GetBoolean(); break;
            default:
                IndexLineFormat.Expect(_attributes.TryReadMember(name, ref json), $"unknown member '{name}'");
                break;
        }
    }

    /// <summary>The record the members make; the key, version and time are required.</summary>
    public BucketObjectRecord ToRecord()
    {
        IndexLineFormat.Expect(_key is not null, "a record has no key");
        IndexLineFormat.Expect(_versionId is not null, $"record '{_key}' has no versionId");
        IndexLineFormat.Expect(_lastModified is not null, $"record '{_key}' has no lastModified");
        return new BucketObjectRecord
        {
            Key = _key!,
            VersionId = _versionId!,
            Latest = _latest,
            DeleteMarker = _deleteMarker,
            LastModified = _lastModified!.Value,
            Size = _size,
            ETag = _etag,
            Sha256 = _sha256,
            Attributes = _attributes.ToAttributes(),
            GoneFromSourceAt = _goneFromSourceAt,
            Synthesized = _synthesized,
        };
    }

    internal static DateTimeOffset Time(string? text, string member) =>
        IndexTime.TryParse(text) ?? throw new FormatException($"'{member}' is not a time of the form 2026-01-31T12:00:00.000Z");
}
