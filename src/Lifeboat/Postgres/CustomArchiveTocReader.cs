using System.Diagnostics.CodeAnalysis;

namespace Lifeboat.Postgres;

/// <summary>
/// The grammar of a pg_dump custom archive's header and table of contents, as far as Lifeboat needs them: the
/// header's sizes and compression, and per entry its id, names, COPY statement and where its data-offset field
/// lies. Run by a <see cref="CustomArchivePushParser"/>, alone or as the start of a grammar that reads on.
/// </summary>
/// <remarks>The layout follows pg_dump's WriteHead and WriteToc for archive versions 1.12 to 1.16.</remarks>
internal sealed class CustomArchiveTocReader
{
    // The strings kept are names and a COPY statement; no real one comes near this, a garbled length may.
    private const int LongestKeptString = 1 << 20;

    private readonly List<CustomArchiveTocEntry> _entries = [];
    private readonly Dictionary<int, CustomArchiveTocEntry> _byId = [];
    private readonly List<string?> _texts = [];
    private int _version;
    private int _intSize;
    private int _offsetSize;
    private long _stringLength;

    /// <summary>The header, once it has been read whole.</summary>
    public CustomArchiveHeader? Header { get; private set; }

    /// <summary>The entries read so far, in the archive's order.</summary>
    public IReadOnlyList<CustomArchiveTocEntry> Entries => _entries;

    /// <summary>The entry with id <paramref name="dumpId"/>, if one was read.</summary>
    public bool TryGetEntry(long dumpId, [NotNullWhen(true)] out CustomArchiveTocEntry? entry)
    {
        entry = null;
        return dumpId is > 0 and <= int.MaxValue && _byId.TryGetValue((int)dumpId, out entry);
    }

    /// <summary>The grammar: the header, the number of entries, then each entry up to its data-offset field.</summary>
    public IEnumerable<CustomArchiveNeed> Read(CustomArchivePushParser parser)
    {
        foreach (var need in ReadHeader(parser))
            yield return need;
        yield return IntField;
        var count = parser.Int;
        if (count < 0)
            yield return CustomArchiveNeed.Unreadable("its table of contents has a negative length");
        for (var i = 0; i < count; i++)
        {
            foreach (var need in ReadEntry(parser))
                yield return need;
        }
    }

    private CustomArchiveNeed IntField => CustomArchiveNeed.Bytes(1 + _intSize);

    private IEnumerable<CustomArchiveNeed> ReadHeader(CustomArchivePushParser parser)
    {
        yield return CustomArchiveNeed.Bytes(5);
        if (!parser.Field.SequenceEqual("PGDMP"u8))
            yield return CustomArchiveNeed.Unreadable("it is not a pg_dump archive");

        // Major, minor and revision of the archive version, intSize, offSize, format.
        yield return CustomArchiveNeed.Bytes(6);
        var (major, minor, format) = (parser.Field[0], parser.Field[1], parser.Field[5]);
        (_version, _intSize, _offsetSize) = (CustomArchiveFormat.Version(major, minor, parser.Field[2]), parser.Field[3], parser.Field[4]);
        if (_version < CustomArchiveFormat.OldestVersion || _version > CustomArchiveFormat.NewestVersion + 255)
            yield return CustomArchiveNeed.Unreadable($"its archive version {major}.{minor} is not one Lifeboat knows");
        if (format != CustomArchiveFormat.Custom || _intSize is < 1 or > CustomArchiveFormat.WidestNumber || _offsetSize is < 1 or > CustomArchiveFormat.WidestNumber)
            yield return CustomArchiveNeed.Unreadable("its header is not that of a custom-format archive");

        // Compression: an algorithm byte from 1.15 on, a level before.
        var algorithm = _version >= CustomArchiveFormat.VersionWithCompressionAlgorithm;
        yield return algorithm ? CustomArchiveNeed.Bytes(1) : IntField;
        var compression = algorithm ? parser.Field[0] : parser.Int;

        // Creation time as seven ints, then database name, server version and pg_dump version.
        for (var i = 0; i < 7; i++)
            yield return IntField;
        foreach (var need in Strings(parser, 3))
            yield return need;
        Header = new CustomArchiveHeader(_version, _intSize, _offsetSize, compression);
    }

    private IEnumerable<CustomArchiveNeed> ReadEntry(CustomArchivePushParser parser)
    {
        yield return IntField;
        var dumpId = parser.Int;
        if (dumpId is <= 0 or > int.MaxValue)
            yield return CustomArchiveNeed.Unreadable($"a TOC entry has the id {dumpId}");
        if (_byId.ContainsKey((int)dumpId))
            yield return CustomArchiveNeed.Unreadable($"two TOC entries have the id {dumpId}");

        // Had-a-dumper flag; catalog table OID and OID; tag and description; section.
        yield return IntField;
        foreach (var need in Strings(parser, 2))
            yield return need;
        foreach (var need in Texts(parser, 2))
            yield return need;
        var (tag, desc) = (_texts[0], _texts[1]);
        yield return IntField;
        var section = parser.Int is var value and >= (long)CustomArchiveSection.None and <= (long)CustomArchiveSection.PostData
            ? (CustomArchiveSection)value
            : CustomArchiveSection.None;

        // Definition and drop statements; COPY statement and schema; tablespace and, from 1.14 on, table
        // access method; from 1.16 on, relation kind.
        foreach (var need in Strings(parser, 2))
            yield return need;
        foreach (var need in Texts(parser, 2))
            yield return need;
        var (copy, schema) = (_texts[0], _texts[1]);
        foreach (var need in Strings(parser, _version >= CustomArchiveFormat.VersionWithTableAm ? 2 : 1))
            yield return need;
        if (_version >= CustomArchiveFormat.VersionWithRelKind)
            yield return IntField;

        // Owner and the obsolete "with OIDs" string, then the dependency list, ended by a null string.
        foreach (var need in Strings(parser, 2))
            yield return need;
        do
        {
            foreach (var need in String(parser, keep: false))
                yield return need;
        }
        while (_stringLength >= 0);

        var offsetField = parser.Position;
        yield return CustomArchiveNeed.Bytes(1 + _offsetSize);
        var flag = parser.Field[0];
        if (flag is not (CustomArchiveFormat.OffsetNotSet or CustomArchiveFormat.OffsetSet or CustomArchiveFormat.OffsetNoData))
            yield return CustomArchiveNeed.Unreadable($"TOC entry {dumpId} has the data-offset flag {flag}");
        var entry = new CustomArchiveTocEntry((int)dumpId, tag, desc, copy, schema, offsetField, flag != CustomArchiveFormat.OffsetNoData, section);
        _entries.Add(entry);
        _byId.Add(entry.DumpId, entry);
    }

    private IEnumerable<CustomArchiveNeed> Strings(CustomArchivePushParser parser, int count)
    {
        for (var i = 0; i < count; i++)
        {
            foreach (var need in String(parser, keep: false))
                yield return need;
        }
    }

    // Strings the grammar reads: into _texts, in order, once all of each is there.
    private IEnumerable<CustomArchiveNeed> Texts(CustomArchivePushParser parser, int count)
    {
        _texts.Clear();
        for (var i = 0; i < count; i++)
        {
            foreach (var need in String(parser, keep: true))
                yield return need;
            _texts.Add(_stringLength < 0 ? null : parser.KeptText());
        }
    }

    // pg_dump's strings: a length, -1 for null, then that many bytes; the length is left in _stringLength.
    private IEnumerable<CustomArchiveNeed> String(CustomArchivePushParser parser, bool keep)
    {
        yield return IntField;
        _stringLength = parser.Int;
        if (_stringLength < -1)
            yield return CustomArchiveNeed.Unreadable($"its table of contents has a string of {_stringLength} bytes");
        if (keep && _stringLength > LongestKeptString)
            yield return CustomArchiveNeed.Unreadable($"its table of contents has a name or statement of {_stringLength} bytes");
        if (_stringLength > 0)
            yield return keep ? CustomArchiveNeed.Kept(_stringLength) : CustomArchiveNeed.Over(_stringLength);
    }
}
