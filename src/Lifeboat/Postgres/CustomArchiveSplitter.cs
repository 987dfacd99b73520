using System.Text;
using Lifeboat.IO;

namespace Lifeboat.Postgres;

/// <summary>A TOC entry that has a data block: one table's rows, named as a directory-format archive names its file.</summary>
internal sealed record ArchiveDataItem(int DumpId, string Desc, string Schema, string Table, bool HasCopyStatement)
{
    /// <summary>The file pg_restore opens for this entry in a directory-format archive.</summary>
    public string FileName => FileNameOf(DumpId);

    /// <summary>The file pg_restore opens for the entry <paramref name="dumpId"/> in a directory-format archive.</summary>
    public static string FileNameOf(int dumpId) => $"{dumpId}.dat";
}

/// <summary>
/// Rewrites a pg_dump custom-format archive, read once from a stream, as a directory-format archive: toc.dat,
/// then one file per table, each renamed into place when its last byte has arrived. pg_restore --jobs reads
/// that format table by table, so it can start on the first tables while later ones are still arriving —
/// a custom archive from a pipe would have to be written out whole first.
/// </summary>
/// <remarks>
/// Only what pg_restore needs changes: the header's format code and each entry's trailing field (a file name
/// instead of a data offset). Data leave as they came, without the per-row chunk framing of the custom format.
/// The header and TOC are read by <see cref="CustomArchiveTocReader"/>; the data blocks here, as they are copied.
/// </remarks>
internal sealed class CustomArchiveSplitter(Stream input, string directory, IProgress<long>? progress = null)
{
    private const int BufferSize = 1 << 20;
    // Not archDirectory (5): pg_restore reads a directory archive's toc.dat with the tar format's code.
    private const byte FormatDirectoryToc = 3;
    private const int FormatByteOffset = 10;

    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly MemoryStream _prefix = new();
    private readonly MemoryStream _toc = new();
    private readonly List<ArchiveDataItem> _items = [];
    private readonly CustomArchiveTocReader _contents = new();
    private int _start;
    private int _end;
    private long _consumed;
    private bool _recording = true;
    private int _intSize;

    /// <summary>Every entry of the table of contents, once <see cref="ReadTableOfContentsAsync"/> has read it.</summary>
    public IReadOnlyList<CustomArchiveTocEntry> Entries => _contents.Entries;

    /// <summary>The entries with data, in the order the archive carries their blocks.</summary>
    public IReadOnlyList<ArchiveDataItem> DataItems => _items;

    /// <summary>
    /// Reads the header and TOC. Returns null when the archive can be split, otherwise why not; then
    /// <see cref="CopyWholeAsync"/> still yields the archive exactly as stored.
    /// </summary>
    public async Task<string?> ReadTableOfContentsAsync(CancellationToken cancellationToken)
    {
        var parser = new CustomArchivePushParser(_contents.Read);
        while (!parser.Ended)
        {
            if (!await FillAsync(1, cancellationToken))
                return "the archive ends inside its table of contents";
            Consume(parser.Observe(_buffer.AsSpan(_start, _end - _start)));
        }

        return parser.Failure ?? PlanFiles();
    }

    /// <summary>Writes toc.dat; call once <see cref="ReadTableOfContentsAsync"/> said the archive can be split.</summary>
    public async Task WriteTableOfContentsAsync(CancellationToken cancellationToken)
    {
        await using var file = new FileStream(Path.Combine(directory, "toc.dat"), NewFile);
        _toc.Position = 0;
        await _toc.CopyToAsync(file, cancellationToken);
    }

    /// <summary>
    /// Writes every table's data to its file, calling <paramref name="completed"/> once each is in place, and
    /// reads the input to its end, where the repository checks the whole object's hash.
    /// </summary>
    public async Task SplitDataAsync(Func<ArchiveDataItem, Task> completed, CancellationToken cancellationToken)
    {
        _recording = false;
        var byId = _items.ToDictionary(i => i.DumpId);
        // The input ends only between blocks; anywhere else is a truncated archive.
        while (await FillAsync(1, cancellationToken))
        {
            var type = _buffer[_start];
            Consume(1);
            var dumpId = await ReadIntAsync(cancellationToken);
            if (type != CustomArchiveFormat.BlockData || !byId.Remove((int)dumpId, out var item))
                throw Malformed($"a data block of type {type} for TOC entry {dumpId}, which expects none or had one already");
            await WriteItemAsync(item, cancellationToken);
            await completed(item);
        }

        if (byId.Count > 0)
            throw Malformed($"no data block for {byId.Count} table(s), among them {byId.Values.First().Schema}.{byId.Values.First().Table}");
    }

    /// <summary>Writes the whole archive as stored (what was read so far, then the rest), for a restore that cannot split it.</summary>
    public async Task CopyWholeAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        if (progress is not null)
            destination = new CountingStream(destination, progress);
        await destination.WriteAsync(_prefix.GetBuffer().AsMemory(0, (int)_prefix.Length), cancellationToken);
        await destination.WriteAsync(_buffer.AsMemory(_start, _end - _start), cancellationToken);
        _start = _end;
        await input.CopyToAsync(destination, bufferSize, cancellationToken);
    }

    private static FileStreamOptions NewFile => new()
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        BufferSize = BufferSize,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
    };

    private string? PlanFiles()
    {
        var header = _contents.Header!;
        if (header.Compression != 0)
            return "its data is compressed by pg_dump";
        foreach (var entry in _contents.Entries.Where(e => e.HasData))
        {
            var item = new ArchiveDataItem(entry.DumpId, entry.Desc ?? "", entry.Schema ?? "", entry.Tag ?? "", !string.IsNullOrEmpty(entry.CopyStatement));
            var why = WhyNoFile(item, entry.CopyStatement);
            if (why is not null)
                return why;
            _items.Add(item);
        }

        _intSize = header.IntSize;
        WriteDirectoryToc(header.OffsetSize);
        return null;
    }

    private static string? WhyNoFile(ArchiveDataItem item, string? copy)
    {
        if (item.Desc == "BLOBS")
            return "it holds large objects";
        if (item.Desc != "TABLE DATA" || !item.HasCopyStatement)
            return $"it holds data other than COPY table data ({item.Desc} {item.Table})";
        if (CopyTarget(copy!) != (item.Schema, item.Table))
            return $"it loads {item.Schema}.{item.Table} through its partition root (pg_dump --load-via-partition-root)";
        return null;
    }

    // toc.dat is the header and TOC as they came, but for the format code and each entry's data-offset field,
    // which names the entry's file instead ("" for an entry without data).
    private void WriteDirectoryToc(int offsetSize)
    {
        var prefix = _prefix.GetBuffer();
        var copied = 0;
        foreach (var entry in _contents.Entries)
        {
            _toc.Write(prefix, copied, (int)entry.OffsetField - copied);
            WriteTocString(entry.HasData ? ArchiveDataItem.FileNameOf(entry.DumpId) : "");
            copied = (int)entry.OffsetField + 1 + offsetSize;
        }

        _toc.Write(prefix, copied, (int)_prefix.Length - copied);
        _toc.GetBuffer()[FormatByteOffset] = FormatDirectoryToc;
    }

    /// <summary>
    /// The table a TOC entry's "COPY schema.table (...) FROM stdin;" loads, as pg_dump quotes it (double
    /// quotes where needed, doubled inside); null when the statement has another shape.
    /// </summary>
    internal static (string Schema, string Table)? CopyTarget(string copy)
    {
        const string Copy = "COPY ";
        if (!copy.StartsWith(Copy, StringComparison.Ordinal))
            return null;
        var at = Copy.Length;
        var schema = Identifier(copy, ref at);
        if (schema is null || at >= copy.Length || copy[at] != '.')
            return null;
        at++;
        var table = Identifier(copy, ref at);
        return table is null ? null : (schema, table);
    }

    private static string? Identifier(string text, ref int at)
    {
        if (at >= text.Length)
            return null;
        if (text[at] != '"')
        {
            var end = text.IndexOfAny([' ', '.', '('], at);
            var name = end < 0 ? null : text[at..end];
            at = end;
            return string.IsNullOrEmpty(name) ? null : name;
        }

        var value = new StringBuilder();
        for (at++; at < text.Length; at++)
        {
            if (text[at] != '"')
            {
                value.Append(text[at]);
                continue;
            }

            if (at + 1 < text.Length && text[at + 1] == '"')
            {
                value.Append('"');
                at++;
                continue;
            }

            at++;
            return value.ToString();
        }

        return null;
    }

    private async Task WriteItemAsync(ArchiveDataItem item, CancellationToken cancellationToken)
    {
        var part = Path.Combine(directory, $".{item.DumpId}.part");
        await using (var file = new FileStream(part, NewFile))
            await CopyChunksAsync(file, cancellationToken);

        // The rename replaces the placeholder pg_restore sized its schedule by, in one step.
        File.Move(part, Path.Combine(directory, item.FileName), overwrite: true);
    }

    // Data travel as length-prefixed chunks (one per row from pg_dump --compress=0) ended by a zero length.
    private async Task CopyChunksAsync(Stream output, CancellationToken cancellationToken)
    {
        var header = 1 + _intSize;
        while (true)
        {
            // Chunks that lie whole in the buffer go without a round trip through the async reads.
            int length;
            while ((length = CustomArchiveFormat.WholeChunkLength(_buffer.AsSpan(_start, _end - _start), header)) > 0)
            {
                output.Write(_buffer, _start + header, length);
                _start += header + length;
                _consumed += header + length;
            }

            var next = await ReadIntAsync(cancellationToken);
            if (next == 0)
                return;
            if (next is < 0 or > int.MaxValue)
                throw Malformed($"a data chunk of {next} bytes");
            await CopyBytesAsync(next, output, cancellationToken);
        }
    }

    private async Task CopyBytesAsync(long count, Stream output, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            await RequireAsync(1, cancellationToken);
            var take = (int)Math.Min(count, _end - _start);
            output.Write(_buffer, _start, take);
            Consume(take);
            count -= take;
        }
    }

    private void WriteTocString(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> number = stackalloc byte[1 + CustomArchiveFormat.WidestNumber];
        number.Clear();
        var length = bytes.Length;
        for (var i = 1; i <= _intSize; i++, length >>= 8)
            number[i] = (byte)length;
        _toc.Write(number[..(1 + _intSize)]);
        _toc.Write(bytes);
    }

    private async Task<long> ReadIntAsync(CancellationToken cancellationToken)
    {
        await RequireAsync(1 + _intSize, cancellationToken);
        var value = CustomArchiveFormat.DecodeInt(_buffer.AsSpan(_start, 1 + _intSize));
        Consume(1 + _intSize);
        return value;
    }

    private void Consume(int count)
    {
        if (_recording)
            _prefix.Write(_buffer, _start, count);
        _start += count;
        _consumed += count;
    }

    private async Task RequireAsync(int count, CancellationToken cancellationToken)
    {
        if (!await FillAsync(count, cancellationToken))
            throw Truncated();
    }

    private async Task<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
            return true;
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
        _end -= _start;
        _start = 0;
        while (_end < count)
        {
            var read = await input.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
                return false;
            _end += read;
            progress?.Report(_consumed + _end);
        }

        return true;
    }

    private LifeboatException Truncated() =>
        new($"the pg_dump archive ends in the middle of a field at byte {_consumed + (_end - _start)}") { Remedy = new(RemedyAction.CheckRepositoryData) };

    private LifeboatException Malformed(string what) =>
        new($"the pg_dump archive has {what} at byte {_consumed}; nothing was restored from it") { Remedy = new(RemedyAction.RestoreWithOneJob) };
}
