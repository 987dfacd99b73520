using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.Content;

/// <summary>Writes and reads records as JSON lines: one object per line, '\n' after each.</summary>
internal static class JsonLines
{
    /// <summary>The lines of <paramref name="records"/>.</summary>
    public static byte[] Serialize<T>(IEnumerable<T> records, JsonTypeInfo<T> type)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            foreach (var record in records)
            {
                JsonSerializer.Serialize(writer, record, type);
                writer.Flush();
                writer.Reset();
                buffer.WriteByte((byte)'\n');
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Every line of <paramref name="text"/> as a record; a line that does not parse is damage of <paramref name="objectName"/>.</summary>
    public static List<T> Parse<T>(ReadOnlySpan<byte> text, JsonTypeInfo<T> type, string objectName)
        where T : class
    {
        var records = new List<T>();
        var number = 0;
        while (!text.IsEmpty)
        {
            number++;
            var end = text.IndexOf((byte)'\n');
            var line = end < 0 ? text : text[..end];
            text = end < 0 ? [] : text[(end + 1)..];
            if (line.IsEmpty)
                continue;
            records.Add(ParseLine(line, type, objectName, number));
        }

        return records;
    }

    private static T ParseLine<T>(ReadOnlySpan<byte> line, JsonTypeInfo<T> type, string objectName, int number)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(line, type) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new DamagedRecordException($"line {number} of '{objectName}' is not a valid record ({e.Message})", "the object was written by a faulty writer")
            {
                Remedy = new(RemedyAction.CheckRepository),
            };
        }
    }
}
