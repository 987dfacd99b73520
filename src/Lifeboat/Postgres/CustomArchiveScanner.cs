namespace Lifeboat.Postgres;

/// <summary>
/// Follows a pg_dump custom-format archive as its bytes stream by and notes, for each TOC entry, where its
/// data-offset field sits and where its data block starts — the facts pg_dump itself writes back into the
/// TOC when its output is seekable. Holds no data, only a small record per TOC entry.
/// </summary>
/// <remarks>
/// The header and TOC are read by <see cref="CustomArchiveTocReader"/>; the data blocks after them by the
/// grammar here. Anything unexpected stops the scan for good, and a stopped scan reports nothing, so a caller
/// can only act on an archive that was understood to its end.
/// </remarks>
internal sealed class CustomArchiveScanner
{
    private readonly CustomArchiveTocReader _toc = new();
    private readonly Dictionary<int, (long Field, long Data)> _dataOffsets = [];
    private readonly CustomArchivePushParser _parser;
    private readonly Action<CustomArchiveTocEntry, byte, long>? _blockStarted;
    private readonly Action<long>? _blockEnded;
    private bool _betweenBlocks;

    /// <summary>
    /// Starts a scan at the first byte of an archive; <paramref name="blockStarted"/> hears of each data block (its
    /// entry, type and first byte's position) and <paramref name="blockEnded"/> of the position after its last byte.
    /// </summary>
    public CustomArchiveScanner(Action<CustomArchiveTocEntry, byte, long>? blockStarted = null, Action<long>? blockEnded = null)
    {
        _blockStarted = blockStarted;
        _blockEnded = blockEnded;
        _parser = new CustomArchivePushParser(Archive);
    }

    /// <summary>The table of contents once it has been read whole; null before.</summary>
    public IReadOnlyList<CustomArchiveTocEntry>? Entries { get; private set; }

    /// <summary>True once the scan met something it does not understand; it learns nothing more after that.</summary>
    public bool Stopped => _parser.Ended;

    /// <summary>Bytes of a TOC offset position (the header's offSize); 0 before the header is read.</summary>
    public int OffsetSize => _toc.Header?.OffsetSize ?? 0;

    /// <summary>How many bytes have been observed.</summary>
    public long Length => _parser.Position;

    /// <summary>
    /// True when everything observed so far parsed and the archive ends cleanly after its last data block,
    /// which is the only state in which <see cref="DataOffsets"/> may be trusted.
    /// </summary>
    public bool Understood => !_parser.Ended && _betweenBlocks && _parser.BetweenFields;

    /// <summary>Per TOC entry that has a data block: where its offset field is and where the block starts.</summary>
    public IEnumerable<(long Field, long Data)> DataOffsets => _dataOffsets.Values;

    /// <summary>Consumes the next bytes of the archive.</summary>
    public void Observe(ReadOnlySpan<byte> bytes) => _parser.Observe(bytes);

    private IEnumerable<CustomArchiveNeed> Archive(CustomArchivePushParser parser)
    {
        foreach (var need in _toc.Read(parser))
            yield return need;
        Entries = _toc.Entries;
        var intField = _toc.Header!.IntFieldSize;
        while (true)
        {
            var blockStart = parser.Position;
            _betweenBlocks = true;
            yield return CustomArchiveNeed.Bytes(1);
            _betweenBlocks = false;
            var type = parser.Field[0];
            yield return CustomArchiveNeed.Bytes(intField);
            var dumpId = parser.Int;
            if (type is not (CustomArchiveFormat.BlockData or CustomArchiveFormat.BlockLargeObjects) || !Claim(dumpId, blockStart))
                yield return CustomArchiveNeed.Unreadable($"a data block of type {type} for TOC entry {dumpId}, which expects none or had one already");
            _toc.TryGetEntry(dumpId, out var entry);
            _blockStarted?.Invoke(entry!, type, blockStart);
            foreach (var need in type == CustomArchiveFormat.BlockData ? Chunks(parser, intField) : LargeObjects(parser, intField))
                yield return need;
            _blockEnded?.Invoke(parser.Position);
        }
    }

    // A block belongs to a TOC entry that expects data and has not had a block yet.
    private bool Claim(long dumpId, long blockStart) =>
        _toc.TryGetEntry(dumpId, out var entry) && entry.HasData && _dataOffsets.TryAdd(entry.DumpId, (entry.OffsetField, blockStart));

    // Large objects: each is an OID followed by its chunks; a zero OID ends the block.
    private static IEnumerable<CustomArchiveNeed> LargeObjects(CustomArchivePushParser parser, int intField)
    {
        while (true)
        {
            yield return CustomArchiveNeed.Bytes(intField);
            if (parser.Int == 0)
                yield break;
            foreach (var need in Chunks(parser, intField))
                yield return need;
        }
    }

    // Data travel as length-prefixed chunks ended by a zero length; their bytes are passed over, never kept.
    private static IEnumerable<CustomArchiveNeed> Chunks(CustomArchivePushParser parser, int intField)
    {
        while (true)
        {
            yield return CustomArchiveNeed.ChunkLength(intField);
            var length = parser.Int;
            if (length == 0)
                yield break;
            if (length < 0)
                yield return CustomArchiveNeed.Unreadable($"a data chunk of {length} bytes");
            yield return CustomArchiveNeed.Over(length);
        }
    }
}
