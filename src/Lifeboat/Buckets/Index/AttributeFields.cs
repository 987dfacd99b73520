using System.Text.Json;

namespace Lifeboat.Buckets.Index;

/// <summary>The attribute members of a line as they are read.</summary>
internal sealed class AttributeFields
{
    private string? _contentType;
    private string? _cacheControl;
    private string? _contentDisposition;
    private string? _contentEncoding;
    private string? _contentLanguage;
    private string? _expires;
    private string? _websiteRedirectLocation;
    private Dictionary<string, string>? _metadata;
    private Dictionary<string, string>? _tags;
    private string? _storageClass;
    private bool _any;

    /// <summary>Reads the value of member <paramref name="name"/> when it is an attribute; false otherwise.</summary>
    public bool TryReadMember(string name, ref Utf8JsonReader json)
    {
        switch (name)
        {
            case "contentType": _contentType = json.GetString(); break;
            case "cacheControl": _cacheControl = json.GetString(); break;
            case "contentDisposition": _contentDisposition = json.GetString(); break;
            case "contentEncoding": _contentEncoding = json.GetString(); break;
            case "contentLanguage": _contentLanguage = json.GetString(); break;
            case "expires": _expires = json.GetString(); break;
            case "websiteRedirectLocation": _websiteRedirectLocation = json.GetString(); break;
            case "metadata": _metadata = ReadEntries(ref json); break;
            case "tags": _tags = ReadEntries(ref json); break;
            case "storageClass": _storageClass = json.GetString(); break;
            default: return false;
        }

        _any = true;
        return true;
    }

    /// <summary>The attributes read; the shared empty instance when there were none.</summary>
    public ObjectAttributes ToAttributes() => !_any ? ObjectAttributes.None : new ObjectAttributes
    {
        ContentType = _contentType,
        CacheControl = _cacheControl,
        ContentDisposition = _contentDisposition,
        ContentEncoding = _contentEncoding,
        ContentLanguage = _contentLanguage,
        Expires = _expires,
        WebsiteRedirectLocation = _websiteRedirectLocation,
        Metadata = _metadata ?? ObjectAttributes.None.Metadata,
        Tags = _tags ?? ObjectAttributes.None.Tags,
        StorageClass = _storageClass,
    };

    private static Dictionary<string, string> ReadEntries(ref Utf8JsonReader json)
    {
        IndexLineFormat.Expect(json.TokenType == JsonTokenType.StartObject, "metadata and tags must be objects");
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var name = json.GetString()!;
            json.Read();
            IndexLineFormat.Expect(entries.TryAdd(name, json.GetString() ?? throw new FormatException($"'{name}' has no value")), $"'{name}' appears twice");
        }

        return entries;
    }
}
