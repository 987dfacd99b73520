using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeboat.Postgres.Wal;

/// <summary>Writes a <see cref="TransactionIdRange"/> as the two-number array [first, last], which keeps a segment's record small.</summary>
public sealed class TransactionIdRangeJsonConverter : JsonConverter<TransactionIdRange>
{
    /// <inheritdoc />
    public override TransactionIdRange Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("a transaction id range is an array [first, last]");
        var first = ReadId(ref reader);
        var last = ReadId(ref reader);
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray || last < first)
            throw new JsonException("a transaction id range is an array [first, last] with first <= last");
        return new TransactionIdRange(first, last);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TransactionIdRange value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.First);
        writer.WriteNumberValue(value.Last);
        writer.WriteEndArray();
    }

    private static uint ReadId(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out var id)
            ? id
            : throw new JsonException("a transaction id range holds two transaction ids");
}
