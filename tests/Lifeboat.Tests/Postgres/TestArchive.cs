using System.Text;

namespace Lifeboat.Tests.Postgres;

/// <summary>
/// Builds small pg_dump custom-format archives by the format's rules, both as pg_dump streams them (offsets
/// not set) and as it leaves them in a seekable file (offsets set), so the scanner can be tried on layouts
/// of versions the installed pg_dump does not write.
/// </summary>
public sealed class TestArchive(int minor = 14, int intSize = 4, int offSize = 8)
{
    private const byte NotSet = 1, Set = 2, NoData = 3;
    private readonly List<(int DumpId, bool HasData)> _entries = [];
    private readonly List<(byte Type, int DumpId, List<(int Oid, byte[][] Chunks)> Parts)> _blocks = [];

    /// <summary>A TOC entry without data (a table, an index...).</summary>
    public TestArchive Schema(int dumpId)
    {
        _entries.Add((dumpId, false));
        return this;
    }

    /// <summary>A TOC entry with a table-data block of these chunks.</summary>
    public TestArchive Table(int dumpId, params byte[][] chunks)
    {
        _entries.Add((dumpId, true));
        _blocks.Add((1, dumpId, [(0, chunks)]));
        return this;
    }

    /// <summary>A TOC entry with data whose block never comes (pg_dump leaves its flag "not set").</summary>
    public TestArchive DataNeverWritten(int dumpId)
    {
        _entries.Add((dumpId, true));
        return this;
    }

    /// <summary>A large-objects entry: each object an OID and its chunks.</summary>
    public TestArchive LargeObjects(int dumpId, params (int Oid, byte[][] Chunks)[] objects)
    {
        _entries.Add((dumpId, true));
        _blocks.Add((3, dumpId, objects.ToList()));
        return this;
    }

    /// <summary>The archive as streamed (<paramref name="withOffsets"/> false) or as pg_dump leaves a file.</summary>
    public byte[] Build(bool withOffsets)
    {
        var output = new MemoryStream();
        Header(output);
        var fields = Toc(output);
        var starts = new Dictionary<int, long>();
        foreach (var block in _blocks)
        {
            starts[block.DumpId] = output.Position;
            Block(output, block.Type, block.DumpId, block.Parts);
        }

        var bytes = output.ToArray();
        if (withOffsets)
        {
            foreach (var (dumpId, start) in starts)
            {
                bytes[fields[dumpId]] = Set;
                for (var i = 0; i < offSize; i++)
                    bytes[fields[dumpId] + 1 + i] = (byte)(start >> (8 * i));
            }
        }

        return bytes;
    }

    private void Header(MemoryStream output)
    {
        output.Write("PGDMP"u8);
        output.Write([1, (byte)minor, 0, (byte)intSize, (byte)offSize, 1]);
        if (minor >= 15)
            output.WriteByte(0);
        else
            Int(output, 0);
        foreach (var part in new[] { 12, 34, 8, 25, 10, 126, 0 })
            Int(output, part);
        Str(output, "sample");
        Str(output, "15.20");
        Str(output, "15.20");
    }

    private Dictionary<int, long> Toc(MemoryStream output)
    {
        var fields = new Dictionary<int, long>();
        Int(output, _entries.Count);
        foreach (var (dumpId, hasData) in _entries)
        {
            Int(output, dumpId);
            Int(output, hasData ? 1 : 0);
            foreach (var text in new[] { "1259", "16384", $"entry {dumpId}", hasData ? "TABLE DATA" : "TABLE" })
                Str(output, text);
            Int(output, hasData ? 3 : 2);
            foreach (var text in new[] { "CREATE TABLE t ();\n", "DROP TABLE t;\n", null, "public", "" })
                Str(output, text);
            if (minor >= 14)
                Str(output, "heap");
            if (minor >= 16)
                Int(output, 'r');
            Str(output, "owner");
            Str(output, "false");
            if (dumpId > 1)
                Str(output, "1");
            Str(output, null);
            fields[dumpId] = output.Position;
            output.WriteByte(hasData ? NotSet : NoData);
            output.Write(new byte[offSize]);
        }

        return fields;
    }

    private void Block(MemoryStream output, byte type, int dumpId, List<(int Oid, byte[][] Chunks)> parts)
    {
        output.WriteByte(type);
        Int(output, dumpId);
        foreach (var (oid, chunks) in parts)
        {
            if (type == 3)
                Int(output, oid);
            foreach (var chunk in chunks)
            {
                Int(output, chunk.Length);
                output.Write(chunk);
            }

            Int(output, 0);
        }

        if (type == 3)
            Int(output, 0);
    }

    private void Int(MemoryStream output, long value)
    {
        output.WriteByte(value < 0 ? (byte)1 : (byte)0);
        var magnitude = Math.Abs(value);
        for (var i = 0; i < intSize; i++)
            output.WriteByte((byte)(magnitude >> (8 * i)));
    }

    private void Str(MemoryStream output, string? text)
    {
        if (text is null)
        {
            Int(output, -1);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        Int(output, bytes.Length);
        output.Write(bytes);
    }

    /// <summary>The minor archive versions (of 1.x) Lifeboat knows, each a layout to try.</summary>
    public static TheoryData<int> KnownMinorVersions => [12, 13, 14, 15, 16];

    /// <summary>Deterministic filler bytes for a chunk.</summary>
    public static byte[] Bytes(int length, int seed = 1) =>
        Enumerable.Range(0, length).Select(i => (byte)((i * 31) + seed)).ToArray();
}
