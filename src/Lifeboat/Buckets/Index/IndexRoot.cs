using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.Index;

/// <summary>
/// A snapshot's index: its segments in key order. Stored as compact JSON written by hand, so equal roots have equal
/// bytes and the same name (<c>roots/&lt;sha256&gt;</c>).
/// </summary>
public sealed record IndexRoot(IReadOnlyList<IndexSegment> Segments)
{
    /// <summary>The root layout this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>An index with no records.</summary>
    public static IndexRoot Empty { get; } = new([]);

    /// <summary>Records in all segments.</summary>
    public long Records => Segments.Sum(s => s.Records);

    /// <summary>The root's bytes.</summary>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", CurrentFormatVersion);
            json.WriteNumber("records", Records);
            json.WriteStartArray("segments");
            foreach (var segment in Segments)
            {
                json.WriteStartObject();
                json.WriteString("sha256", segment.Sha256);
                json.WriteString("firstKey", segment.FirstKey);
                json.WriteString("lastKey", segment.LastKey);
                json.WriteNumber("records", segment.Records);
                json.WriteNumber("bytes", segment.Bytes);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The SHA-256 of <paramref name="bytes"/>, lower-case hex: the name of a root or segment.</summary>
    public static string NameOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Parses a root; <paramref name="source"/> names the object in errors.</summary>
    public static IndexRoot Parse(ReadOnlySpan<byte> bytes, string source)
    {
        try
        {
            var json = new Utf8JsonReader(bytes);
            using var document = JsonDocument.ParseValue(ref json);
            var root = document.RootElement;
            var version = root.GetProperty("formatVersion").GetInt32();
            if (version > CurrentFormatVersion)
                throw new LifeboatException($"index root '{source}' has format {version}, newer than this Lifeboat reads ({CurrentFormatVersion})", "upgrade lifeboat");
            var segments = root.GetProperty("segments").EnumerateArray().Select(s => new IndexSegment(
                s.GetProperty("sha256").GetString()!,
                s.GetProperty("firstKey").GetString()!,
                s.GetProperty("lastKey").GetString()!,
                s.GetProperty("records").GetInt64(),
                s.GetProperty("bytes").GetInt64())).ToList();
            var parsed = new IndexRoot(segments);
            if (parsed.Records != root.GetProperty("records").GetInt64())
                throw new FormatException("its record count is not the sum of its segments'");
            return parsed;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new DamagedRecordException($"index root '{source}' is not valid: {e.Message}", inner: e) { Remedy = new(RemedyAction.FindDamagedObjects) };
        }
    }
}

/// <summary>One index segment as its root describes it.</summary>
/// <param name="Sha256">SHA-256 of its plaintext: its name.</param>
/// <param name="FirstKey">Its first record's key.</param>
/// <param name="LastKey">Its last record's key; no later segment holds this key.</param>
/// <param name="Records">Records (lines) it holds.</param>
/// <param name="Bytes">Plaintext bytes.</param>
public sealed record IndexSegment(string Sha256, string FirstKey, string LastKey, long Records, long Bytes);
