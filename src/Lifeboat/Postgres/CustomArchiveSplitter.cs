using System.Text;
using Lifeboat.IO;

namespace Lifeboat.Postgres;

/// <summary>A TOC entry that has a data block: one table's rows, named as a directory-format archive names its file.</summary>
internal sealed record ArchiveDataItem(int DumpId, string Desc, string Schema, string Table, bool HasCopyStatement)
{
    /// <summary>The file pg_restore opens for this entry in a directory-format archive.</summary>
    public string FileName => $"{DumpId}.dat";
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
    private int _start;
    private int _end;
    private long _consumed;
    private bool _recording = true;
    private int _version;
    private int _intSize;
    private int _offsetSize;

    /// <summary>The entries with data, in the order the archive carries their blocks.</summary>
    public IReadOnlyList<ArchiveDataItem> DataItems => _items;

    /// <summary>
    /// Reads the header and TOC. Returns null when the archive can be split, otherwise why not; then
    /// <see cref="CopyWholeAsync"/> still yields the archive exactly as stored.
    /// </summary>
    public async Task<string?> ReadTableOfContentsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadHeaderAsync(cancellationToken) ?? await ReadEntriesAsync(cancellationToken);
        }
        catch (EndOfStreamException)
        {
            return "the archive ends inside its table of contents";
        }
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

    private async Task<string?> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        await RequireAsync(11, cancellationToken);
        var header = _buffer.AsSpan(_start, 11);
        if (!header[..5].SequenceEqual("PGDMP"u8))
            return "it is not a pg_dump archive";
        _version = CustomArchiveFormat.Version(header[5], header[6], header[7]);
        _intSize = header[8];
        _offsetSize = header[9];
        if (_version < CustomArchiveFormat.OldestVersion || _version > CustomArchiveFormat.NewestVersion + 255)
            return $"its archive version {header[5]}.{header[6]} is not one Lifeboat knows";
        if (header[10] != CustomArchiveFormat.Custom || _intSize is < 1 or > CustomArchiveFormat.WidestNumber || _offsetSize is < 1 or > CustomArchiveFormat.WidestNumber)
            return "its header is not that of a custom-format archive";
        Consume(11);

        var compressed = _version >= CustomArchiveFormat.VersionWithCompressionAlgorithm ? await ReadByteAsync(cancellationToken) : await ReadIntAsync(cancellationToken);
        if (compressed != 0)
            return "its data is compressed by pg_dump";

        // Creation time as seven ints, then database name, server version and pg_dump version.
        for (var i = 0; i < 7; i++)
            await ReadIntAsync(cancellationToken);
        for (var i = 0; i < 3; i++)
            await SkipStringAsync(cancellationToken);
        return null;
    }

    private async Task<string?> ReadEntriesAsync(CancellationToken cancellationToken)
    {
        var count = await ReadIntAsync(cancellationToken);
        if (count < 0)
            return "its table of contents has a negative length";
        _toc.Write(_prefix.GetBuffer(), 0, (int)_prefix.Length);
        _toc.GetBuffer()[FormatByteOffset] = FormatDirectoryToc;

        for (var i = 0; i < count; i++)
        {
            var why = await ReadEntryAsync(cancellationToken);
            if (why is not null)
                return why;
        }

        return null;
    }

    private async Task<string?> ReadEntryAsync(CancellationToken cancellationToken)
    {
        var entryStart = (int)_prefix.Length;
        var dumpId = await ReadIntAsync(cancellationToken);
        if (dumpId is <= 0 or > int.MaxValue)
            return $"a TOC entry has the id {dumpId}";

        // Had-a-dumper flag; catalog table OID, OID, tag and description; section.
        await ReadIntAsync(cancellationToken);
        await SkipStringAsync(cancellationToken);
        await SkipStringAsync(cancellationToken);
        var tag = await ReadStringAsync(cancellationToken);
        var desc = await ReadStringAsync(cancellationToken);
        await ReadIntAsync(cancellationToken);

        // Definition, drop and copy statements, schema, tablespace and, from 1.14 on, table access method.
        await SkipStringAsync(cancellationToken);
        await SkipStringAsync(cancellationToken);
        var copy = await ReadStringAsync(cancellationToken);
        var schema = await ReadStringAsync(cancellationToken);
        for (var i = _version >= CustomArchiveFormat.VersionWithTableAm ? 2 : 1; i > 0; i--)
            await SkipStringAsync(cancellationToken);
        if (_version >= CustomArchiveFormat.VersionWithRelKind)
            await ReadIntAsync(cancellationToken);

        // Owner and the obsolete "with OIDs" string, then dependencies up to a null string.
        await SkipStringAsync(cancellationToken);
        await SkipStringAsync(cancellationToken);
        long dependency;
        do
        {
            dependency = await SkipStringAsync(cancellationToken);
        }
        while (dependency >= 0);

        var entryEnd = (int)_prefix.Length;
        await RequireAsync(1 + _offsetSize, cancellationToken);
        var hasData = _buffer[_start] != CustomArchiveFormat.OffsetNoData;
        Consume(1 + _offsetSize);
        _toc.Write(_prefix.GetBuffer(), entryStart, entryEnd - entryStart);
        if (!hasData)
        {
            WriteTocString("");
            return null;
        }

        var item = new ArchiveDataItem((int)dumpId, desc ?? "", schema ?? "", tag ?? "", !string.IsNullOrEmpty(copy));
        if (item.Desc == "BLOBS")
            return "it holds large objects";
        if (item.Desc != "TABLE DATA" || !item.HasCopyStatement)
            return $"it holds data other than COPY table data ({item.Desc} {item.Table})";
        if (CopyTarget(copy!) != (item.Schema, item.Table))
            return $"it loads {item.Schema}.{item.Table} through its partition root (pg_dump --load-via-partition-root)";
        _items.Add(item);
        WriteTocString(item.FileName);
        return null;
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
            while (_end - _start >= header)
            {
                var length = CustomArchiveFormat.DecodeInt(_buffer.AsSpan(_start, header));
                if (length <= 0 || length > _end - _start - header)
                    break;
                output.Write(_buffer, _start + header, (int)length);
                _start += header + (int)length;
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

    private async Task<byte> ReadByteAsync(CancellationToken cancellationToken)
    {
        await RequireAsync(1, cancellationToken);
        var value = _buffer[_start];
        Consume(1);
        return value;
    }

    // pg_dump's strings: a length (-1 for null), then the bytes.
    private async Task<string?> ReadStringAsync(CancellationToken cancellationToken)
    {
        var length = await ReadIntAsync(cancellationToken);
        if (length < 0)
            return null;
        var text = new MemoryStream();
        await CopyBytesAsync(length, text, cancellationToken);
        return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }

    private async Task<long> SkipStringAsync(CancellationToken cancellationToken)
    {
        var length = await ReadIntAsync(cancellationToken);
        await CopyBytesAsync(Math.Max(length, 0), Stream.Null, cancellationToken);
        return length;
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
            throw _recording ? new EndOfStreamException() : Truncated();
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
        new($"the pg_dump archive ends in the middle of a field at byte {_consumed + (_end - _start)}", "run 'lifeboat check --read-data' on this backup");

    private LifeboatException Malformed(string what) =>
        new($"the pg_dump archive has {what} at byte {_consumed}; nothing was restored from it", "run 'lifeboat check --read-data' on this backup; restore with --jobs 1 to let pg_restore read it alone");
}
