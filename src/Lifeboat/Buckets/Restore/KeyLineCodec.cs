using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Lifeboat.Buckets.Index;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.Restore;

/// <summary>Keys as spill-file lines: one JSON string each, so a key holding a newline stays one line.</summary>
internal sealed class KeyLineCodec : ISpillCodec<string>
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The one instance.</summary>
    public static KeyLineCodec Instance { get; } = new();

    /// <inheritdoc />
    public void Write(IBufferWriter<byte> output, string item)
    {
        using (var writer = new Utf8JsonWriter(output, Options))
            writer.WriteStringValue(item);
        output.Write("\n"u8);
    }

    /// <inheritdoc />
    public string Read(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
            throw new DamagedRecordException("a key line of a restore's spill file is not a JSON string", "the local spill file was changed while the restore ran");
        return reader.GetString()!;
    }
}
