namespace Lifeboat.Postgres;

/// <summary>
/// Follows a pg_dump custom-format archive as its bytes stream by and notes, for each TOC entry, where its
/// data-offset field sits and where its data block starts — the facts pg_dump itself writes back into the
/// TOC when its output is seekable. Holds no data, only one small record per TOC entry.
/// </summary>
/// <remarks>
/// The grammar is an iterator: each <c>yield</c> asks for the next field, so it reads top to bottom while
/// the bytes arrive in whatever pieces the writer chose. Anything unexpected stops the scan for good, and a
/// stopped scan reports nothing, so a caller can only act on an archive that was understood to its end.
/// </remarks>
internal sealed class CustomArchiveScanner
{
    private readonly Dictionary<int, long> _offsetFields = [];
    private readonly Dictionary<int, long> _dataStarts = [];
    private readonly byte[] _field = new byte[1 + CustomArchiveFormat.WidestNumber];
    private readonly IEnumerator<Need> _steps;
    private Need _need;
    private int _filled;
    private long _skipped;
    private long _position;
    private bool _stopped;
    private bool _betweenBlocks;
    private bool _atChunkLength;
    private int _version;
    private int _intSize;

    /// <summary>Starts a scan at the first byte of an archive.</summary>
    public CustomArchiveScanner()
    {
        _steps = Archive().GetEnumerator();
        NextNeed();
    }

    /// <summary>Bytes of a TOC offset position (the header's offSize); 0 before the header is read.</summary>
    public int OffsetSize { get; private set; }

    /// <summary>How many bytes have been observed.</summary>
    public long Length => _position;

    /// <summary>
    /// True when everything observed so far parsed and the archive ends cleanly after its last data block,
    /// which is the only state in which <see cref="DataOffsets"/> may be trusted.
    /// </summary>
    public bool Understood => !_stopped && _betweenBlocks && _filled == 0;

    /// <summary>Per TOC entry that has a data block: where its offset field is and where the block starts.</summary>
    public IEnumerable<(long Field, long Data)> DataOffsets =>
        _dataStarts.Select(d => (_offsetFields[d.Key], d.Value));

    /// <summary>Consumes the next bytes of the archive.</summary>
    public void Observe(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty && !_stopped)
        {
            var taken = _atChunkLength && _filled == 0 ? PassWholeChunks(bytes) : 0;
            taken += Take(bytes[taken..]);
            bytes = bytes[taken..];
            _position += taken;
            if (_need.IsMet(_filled, _skipped))
                NextNeed();
        }
    }

    // The fast path for a table's data, which pg_dump --compress=0 writes as one chunk per row: chunks
    // that lie wholly in this piece are passed over here, without a round trip through the grammar per row.
    // Whatever is left (a zero length, a chunk cut by the piece's end) goes the ordinary way.
    private int PassWholeChunks(ReadOnlySpan<byte> bytes)
    {
        var header = 1 + _intSize;
        var passed = 0;
        while (bytes.Length - passed >= header)
        {
            var length = DecodeInt(bytes.Slice(passed, header));
            if (length <= 0 || length > bytes.Length - passed - header)
                break;
            passed += header + (int)length;
        }

        return passed;
    }

    private int Take(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return 0;
        if (_need.Skip > 0)
        {
            var skip = (int)Math.Min(_need.Skip - _skipped, bytes.Length);
            _skipped += skip;
            return skip;
        }

        var take = Math.Min(_need.Field - _filled, bytes.Length);
        bytes[..take].CopyTo(_field.AsSpan(_filled));
        _filled += take;
        return take;
    }

    private void NextNeed()
    {
        _filled = 0;
        _skipped = 0;
        if (!_steps.MoveNext() || _steps.Current.Field < 0)
        {
            _stopped = true;
            return;
        }

        _need = _steps.Current;
    }

    private IEnumerable<Need> Archive()
    {
        foreach (var need in Header())
            yield return need;
        yield return IntField;
        var count = DecodeInt();
        if (count < 0)
            yield return Need.Unreadable;
        for (var i = 0; i < count; i++)
        {
            foreach (var need in TocEntry())
                yield return need;
        }

        foreach (var need in DataBlocks())
            yield return need;
    }

    private IEnumerable<Need> Header()
    {
        yield return Need.Bytes(5);
        if (!_field.AsSpan(0, 5).SequenceEqual("PGDMP"u8))
            yield return Need.Unreadable;

        // Major, minor and revision of the archive version, intSize, offSize, format.
        yield return Need.Bytes(6);
        _version = CustomArchiveFormat.Version(_field[0], _field[1], _field[2]);
        _intSize = _field[3];
        OffsetSize = _field[4];
        if (_version < CustomArchiveFormat.OldestVersion || _version > CustomArchiveFormat.NewestVersion + 255 || _field[5] != CustomArchiveFormat.Custom
            || _intSize is < 1 or > CustomArchiveFormat.WidestNumber || OffsetSize is < 1 or > CustomArchiveFormat.WidestNumber)
            yield return Need.Unreadable;

        // Compression: an algorithm byte from 1.15 on, a level before.
        yield return _version >= CustomArchiveFormat.VersionWithCompressionAlgorithm ? Need.Bytes(1) : IntField;

        // Creation time as seven ints, then database name, server version and pg_dump version.
        for (var i = 0; i < 7; i++)
            yield return IntField;
        foreach (var need in Strings(3))
            yield return need;
    }

    private IEnumerable<Need> TocEntry()
    {
        yield return IntField;
        var dumpId = DecodeInt();
        if (dumpId is <= 0 or > int.MaxValue || _offsetFields.ContainsKey((int)dumpId))
            yield return Need.Unreadable;

        // Had-a-dumper flag; catalog table OID, OID, tag and description; section.
        yield return IntField;
        foreach (var need in Strings(4))
            yield return need;
        yield return IntField;

        // Definition, drop and copy statements, schema, tablespace and, from 1.14 on, table access method.
        foreach (var need in Strings(_version >= CustomArchiveFormat.VersionWithTableAm ? 6 : 5))
            yield return need;
        if (_version >= CustomArchiveFormat.VersionWithRelKind)
            yield return IntField;

        // Owner and the obsolete "with OIDs" string, then the dependency list, ended by a null string.
        foreach (var need in Strings(2))
            yield return need;
        foreach (var need in Dependencies())
            yield return need;

        var fieldStart = _position;
        yield return Need.Bytes(1 + OffsetSize);
        if (_field[0] is not (CustomArchiveFormat.OffsetNotSet or CustomArchiveFormat.OffsetSet or CustomArchiveFormat.OffsetNoData))
            yield return Need.Unreadable;
        _offsetFields.Add((int)dumpId, _field[0] == CustomArchiveFormat.OffsetNoData ? -1 : fieldStart);
    }

    private IEnumerable<Need> Strings(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return IntField;
            var length = DecodeInt();
            if (length < -1)
                yield return Need.Unreadable;
            if (length > 0)
                yield return Need.Over(length);
        }
    }

    private IEnumerable<Need> Dependencies()
    {
        while (true)
        {
            yield return IntField;
            var length = DecodeInt();
            if (length == -1)
                yield break;
            if (length < -1)
                yield return Need.Unreadable;
            if (length > 0)
                yield return Need.Over(length);
        }
    }

    private IEnumerable<Need> DataBlocks()
    {
        while (true)
        {
            var blockStart = _position;
            _betweenBlocks = true;
            yield return Need.Bytes(1);
            _betweenBlocks = false;
            var type = _field[0];
            yield return IntField;
            if (type is not (CustomArchiveFormat.BlockData or CustomArchiveFormat.BlockLargeObjects) || !Claim(DecodeInt(), blockStart))
                yield return Need.Unreadable;
            foreach (var need in type == CustomArchiveFormat.BlockData ? Chunks() : LargeObjects())
                yield return need;
        }
    }

    // A block belongs to a TOC entry that expects data and has not had a block yet.
    private bool Claim(long dumpId, long blockStart)
    {
        if (dumpId is <= 0 or > int.MaxValue || !_offsetFields.TryGetValue((int)dumpId, out var field) || field < 0)
            return false;
        return _dataStarts.TryAdd((int)dumpId, blockStart);
    }

    // Large objects: each is an OID followed by its chunks; a zero OID ends the block.
    private IEnumerable<Need> LargeObjects()
    {
        while (true)
        {
            yield return IntField;
            if (DecodeInt() == 0)
                yield break;
            foreach (var need in Chunks())
                yield return need;
        }
    }

    // Data travels as length-prefixed chunks ended by a zero length; their bytes are skipped, never kept.
    private IEnumerable<Need> Chunks()
    {
        while (true)
        {
            _atChunkLength = true;
            yield return IntField;
            _atChunkLength = false;
            var length = DecodeInt();
            if (length == 0)
                yield break;
            if (length < 0)
                yield return Need.Unreadable;
            yield return Need.Over(length);
        }
    }

    private Need IntField => Need.Bytes(1 + _intSize);

    private long DecodeInt() => DecodeInt(_field.AsSpan(0, 1 + _intSize));

    private static long DecodeInt(ReadOnlySpan<byte> field) => CustomArchiveFormat.DecodeInt(field);

    /// <summary>The next field the grammar waits for: a few bytes to decode, or a run of bytes to pass over.</summary>
    private readonly record struct Need(int Field, long Skip)
    {
        public static Need Unreadable => new(-1, 0);

        public static Need Bytes(int count) => new(count, 0);

        public static Need Over(long count) => new(0, count);

        public bool IsMet(int filled, long skipped) => Skip > 0 ? skipped == Skip : filled == Field;
    }
}
