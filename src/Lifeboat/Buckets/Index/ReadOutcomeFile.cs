using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Lifeboat.Buckets.Index;

/// <summary>
/// The outcomes of a run's reads on local disk: workers append them in any order, and the seal looks each up by
/// ticket. Only an offset per ticket stays in memory (8 bytes per object read).
/// </summary>
public sealed class ReadOutcomeFile : IAsyncDisposable
{
    private const long Missing = -1;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly SpillLineWriter<ReadOutcome> _writer;
    private readonly SemaphoreSlim _appending = new(1, 1);
    private long[] _offsets = [];
    private SafeFileHandle? _reading;

    private ReadOutcomeFile(string path)
    {
        Path = path;
        _writer = new SpillLineWriter<ReadOutcome>(path, Codec.Instance);
    }

    /// <summary>Where it lies.</summary>
    public string Path { get; }

    /// <summary>Outcomes recorded.</summary>
    public long Count => _writer.Count;

    /// <summary>Starts an empty outcome file in <paramref name="spill"/>.</summary>
    public static ReadOutcomeFile Create(SpillDirectory spill) => new(spill.NewFile("outcomes"));

    /// <summary>Records one outcome; safe from many workers at once. A ticket's second outcome is a bug and refused.</summary>
    public async ValueTask AppendAsync(ReadOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outcome.Ticket);
        await _appending.WaitAsync(cancellationToken);
        try
        {
            if (_reading is not null)
                throw new InvalidOperationException("outcomes are appended after the seal began reading them");
            EnsureRoom(outcome.Ticket);
            if (_offsets[outcome.Ticket] != Missing)
                throw new InvalidOperationException($"read ticket {outcome.Ticket} has two outcomes");
            _offsets[outcome.Ticket] = _writer.Position;
            await _writer.WriteAsync(outcome, cancellationToken);
        }
        finally
        {
            _appending.Release();
        }
    }

    /// <summary>The outcome of <paramref name="ticket"/>; a ticket without one is a bug in whoever ran the reads.</summary>
    public async ValueTask<ReadOutcome> GetAsync(long ticket, CancellationToken cancellationToken)
    {
        var handle = await OpenForReadingAsync(cancellationToken);
        var offset = ticket >= 0 && ticket < _offsets.Length ? _offsets[ticket] : Missing;
        if (offset == Missing)
            throw new InvalidOperationException($"read ticket {ticket} has no outcome: its read was never finished");
        var buffer = new byte[4096];
        var filled = 0;
        while (true)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(filled), offset + filled, cancellationToken);
            var end = buffer.AsSpan(filled, read).IndexOf(IndexLineFormat.LineEnd);
            if (end >= 0)
                return Codec.Instance.Read(buffer.AsSpan(0, filled + end));
            if (read == 0)
                throw new InvalidOperationException($"the outcome of read ticket {ticket} is cut short in '{Path}'");
            filled += read;
            if (filled == buffer.Length)
                Array.Resize(ref buffer, buffer.Length * 2);
        }
    }

    private async ValueTask<SafeFileHandle> OpenForReadingAsync(CancellationToken cancellationToken)
    {
        if (_reading is not null)
            return _reading;
        await _appending.WaitAsync(cancellationToken);
        try
        {
            if (_reading is null)
            {
                await _writer.FlushAsync(cancellationToken);
                await _writer.DisposeAsync();
                _reading = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
            }

            return _reading;
        }
        finally
        {
            _appending.Release();
        }
    }

    private void EnsureRoom(long ticket)
    {
        if (ticket < _offsets.Length)
            return;
        var old = _offsets.Length;
        Array.Resize(ref _offsets, (int)Math.Max(ticket + 1, Math.Max(1024, old * 2L)));
        _offsets.AsSpan(old).Fill(Missing);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _reading?.Dispose();
        await _writer.DisposeAsync();
        _appending.Dispose();
    }

    private sealed class Codec : ISpillCodec<ReadOutcome>
    {
        public static Codec Instance { get; } = new();

        public void Write(IBufferWriter<byte> output, ReadOutcome item)
        {
            using (var json = new Utf8JsonWriter(output, WriterOptions))
            {
                json.WriteStartObject();
                json.WriteNumber("ticket", item.Ticket);
                if (item.Content is { } content)
                {
                    json.WriteString("sha256", content.Sha256);
                    json.WriteNumber("size", content.Size);
                    json.WriteNumber("newStoredBytes", content.NewStoredBytes);
                    IndexLineFormat.WriteAttributes(json, item.Attributes ?? ObjectAttributes.None);
                }

                if (item.Replaced is { } replaced)
                {
                    json.WriteNumber("replacedSize", replaced.Size);
                    json.WriteString("replacedEtag", replaced.ETag);
                    json.WriteString("replacedLastModified", IndexTime.ToText(replaced.LastModified));
                }

                json.WriteEndObject();
            }

            output.Write([IndexLineFormat.LineEnd]);
        }

        public ReadOutcome Read(ReadOnlySpan<byte> line)
        {
            var json = new Utf8JsonReader(line);
            json.Read();
            long ticket = Missing, size = 0, newStored = 0, replacedSize = 0;
            string? sha = null, replacedEtag = null;
            DateTimeOffset? replacedAt = null;
            var attributes = new AttributeFields();
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                var name = json.GetString()!;
                json.Read();
                switch (name)
                {
                    case "ticket": ticket = json.GetInt64(); break;
                    case "sha256": sha = json.GetString(); break;
                    case "size": size = json.GetInt64(); break;
                    case "newStoredBytes": newStored = json.GetInt64(); break;
                    case "replacedSize": replacedSize = json.GetInt64(); break;
                    case "replacedEtag": replacedEtag = json.GetString(); break;
                    case "replacedLastModified": replacedAt = RecordFields.Time(json.GetString(), name); break;
                    default: IndexLineFormat.Expect(attributes.TryReadMember(name, ref json), $"unknown member '{name}'"); break;
                }
            }

            var replaced = replacedEtag is null ? null : new ObjectIdentity(replacedSize, replacedEtag, replacedAt!.Value);
            return sha is null
                ? new ReadOutcome(ticket, null, null, replaced)
                : new ReadOutcome(ticket, new ContentRef(sha, size, newStored), attributes.ToAttributes(), replaced);
        }
    }
}
