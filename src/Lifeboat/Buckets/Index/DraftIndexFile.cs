using System.Buffers;
using System.Runtime.CompilerServices;

namespace Lifeboat.Buckets.Index;

/// <summary>
/// One partition's draft index on local disk: the merge appends records in key order (pending ones with their read's
/// ticket), and the seal reads them back once the reads are done.
/// </summary>
public sealed class DraftIndexFile : IAsyncDisposable
{
    private readonly SpillLineWriter<DraftEntry> _writer;
    private bool _completed;

    private DraftIndexFile(string path)
    {
        Path = path;
        _writer = new SpillLineWriter<DraftEntry>(path, Codec.Instance);
    }

    /// <summary>Where it lies.</summary>
    public string Path { get; }

    /// <summary>Entries written.</summary>
    public long Count => _writer.Count;

    /// <summary>Starts a new draft in <paramref name="spill"/>.</summary>
    public static DraftIndexFile Create(SpillDirectory spill, string name) => new(spill.NewFile($"draft-{name}"));

    /// <summary>Appends one entry; entries must come in key order (the seal checks).</summary>
    public ValueTask WriteAsync(DraftEntry entry, CancellationToken cancellationToken) => _writer.WriteAsync(entry, cancellationToken);

    /// <summary>Writes the rest to disk and closes the file for writing.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completed)
            return;
        await _writer.FlushAsync(cancellationToken);
        await _writer.DisposeAsync();
        _completed = true;
    }

    /// <summary>Streams the entries in the order written.</summary>
    public async IAsyncEnumerable<DraftEntry> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_completed)
            throw new InvalidOperationException($"draft '{Path}' is read before it is complete");
        await using var file = SpillDirectory.OpenFile(Path);
        var lines = new LineReader(file);
        while (await lines.ReadLineAsync(cancellationToken) is { } line)
            yield return Codec.Instance.Read(line.Span);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private sealed class Codec : ISpillCodec<DraftEntry>
    {
        public static Codec Instance { get; } = new();

        public void Write(IBufferWriter<byte> output, DraftEntry item) => IndexLineFormat.Write(output, item.Record, item.Ticket);

        public DraftEntry Read(ReadOnlySpan<byte> line)
        {
            var record = IndexLineFormat.Read(line, "draft", out var ticket, allowTicket: true);
            return new DraftEntry(record, ticket);
        }
    }
}
