using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.Index;

/// <summary>
/// The index's one JSON line per record, written by hand so its bytes are fixed: member order as docs/FORMAT.md lists
/// it, absent for null/false/empty, dictionaries sorted ordinally, relaxed escaping, one time format. Segment names are
/// hashes of these bytes, so a change here only re-uploads segments, but it must never vary between two runs.
/// </summary>
public static class IndexLineFormat
{
    /// <summary>Ends every line; JSON escapes it inside strings, so a line never contains one.</summary>
    public const byte LineEnd = (byte)'\n';

    private const string TicketMember = "ticket";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    /// <summary>Appends <paramref name="record"/> as one line.</summary>
    public static void Write(IBufferWriter<byte> output, BucketObjectRecord record) => Write(output, record, ticket: null);

    /// <summary>The line of <paramref name="record"/>, with its line end.</summary>
    public static byte[] ToLine(BucketObjectRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, record);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses one line (without its line end); <paramref name="source"/> names where it came from in errors.</summary>
    public static BucketObjectRecord Read(ReadOnlySpan<byte> line, string source) => Read(line, source, out _, allowTicket: false);

    /// <summary>Appends a draft line: a record and, for a record still waiting for its read, the read's ticket.</summary>
    internal static void Write(IBufferWriter<byte> output, BucketObjectRecord record, long? ticket)
    {
        using (var json = new Utf8JsonWriter(output, WriterOptions))
        {
            json.WriteStartObject();
            WriteRecord(json, record);
            if (ticket is { } number)
                json.WriteNumber(TicketMember, number);
            json.WriteEndObject();
        }

        output.Write([LineEnd]);
    }

    /// <summary>Parses a draft line, which may carry a ticket.</summary>
    internal static BucketObjectRecord Read(ReadOnlySpan<byte> line, string source, out long? ticket, bool allowTicket)
    {
        try
        {
            var json = new Utf8JsonReader(line);
            Expect(json.Read() && json.TokenType == JsonTokenType.StartObject, "a line is not a JSON object");
            var fields = new RecordFields();
            ticket = null;
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                if (allowTicket && json.ValueTextEquals(TicketMember))
                {
                    json.Read();
                    ticket = json.GetInt64();
                    continue;
                }

                fields.ReadMember(ref json);
            }

            Expect(json.TokenType == JsonTokenType.EndObject && !json.Read(), "a line has more than one JSON object");
            return fields.ToRecord();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new DamagedRecordException($"index '{source}' has a record that is not valid: {e.Message}", inner: e) { Remedy = new(RemedyAction.FindDamagedObjects) };
        }
    }

    /// <summary>The members of <paramref name="record"/> in their fixed order.</summary>
    internal static void WriteRecord(Utf8JsonWriter json, BucketObjectRecord record)
    {
        json.WriteString("key", record.Key);
        json.WriteString("versionId", record.VersionId);
        WriteFlag(json, "latest", record.Latest);
        WriteFlag(json, "deleteMarker", record.DeleteMarker);
        json.WriteString("lastModified", IndexTime.ToText(record.LastModified));
        if (!record.DeleteMarker)
            json.WriteNumber("size", record.Size);
        WriteOptional(json, "etag", record.ETag);
        WriteOptional(json, "sha256", record.Sha256);
        WriteAttributes(json, record.Attributes);
        if (record.GoneFromSourceAt is { } gone)
            json.WriteString("goneFromSourceAt", IndexTime.ToText(gone));
        WriteFlag(json, "synthesized", record.Synthesized);
    }

    /// <summary>The attribute members, in their fixed order; storage class last.</summary>
    internal static void WriteAttributes(Utf8JsonWriter json, ObjectAttributes attributes)
    {
        WriteOptional(json, "contentType", attributes.ContentType);
        WriteOptional(json, "cacheControl", attributes.CacheControl);
        WriteOptional(json, "contentDisposition", attributes.ContentDisposition);
        WriteOptional(json, "contentEncoding", attributes.ContentEncoding);
        WriteOptional(json, "contentLanguage", attributes.ContentLanguage);
        WriteOptional(json, "expires", attributes.Expires);
        WriteOptional(json, "websiteRedirectLocation", attributes.WebsiteRedirectLocation);
        WriteSorted(json, "metadata", attributes.Metadata);
        WriteSorted(json, "tags", attributes.Tags);
        WriteOptional(json, "storageClass", attributes.StorageClass);
    }

    private static void WriteFlag(Utf8JsonWriter json, string name, bool value)
    {
        if (value)
            json.WriteBoolean(name, true);
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
            json.WriteString(name, value);
    }

    private static void WriteSorted(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, string> entries)
    {
        if (entries.Count == 0)
            return;
        json.WriteStartObject(name);
        foreach (var entry in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            json.WriteString(entry.Key, entry.Value);
        json.WriteEndObject();
    }

    internal static void Expect(bool condition, string what)
    {
        if (!condition)
            throw new FormatException(what);
    }
}
