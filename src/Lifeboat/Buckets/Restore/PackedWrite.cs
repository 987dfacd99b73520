using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Index;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.Restore;

/// <summary>A small object to write, with where its content lies: restores read them sorted by pack and offset.</summary>
/// <param name="Location">The content's blob.</param>
/// <param name="Record">The object as recorded.</param>
internal sealed record PackedWrite(ContentLocation Location, BucketObjectRecord Record);

/// <summary>Orders packed writes by pack, then offset: the order in which neighbouring blobs share one ranged GET.</summary>
internal sealed class PackOrder : IComparer<PackedWrite>
{
    /// <summary>The one instance.</summary>
    public static PackOrder Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(PackedWrite? x, PackedWrite? y)
    {
        if (x is null || y is null)
            return x is null ? (y is null ? 0 : -1) : 1;
        var byPack = string.CompareOrdinal(x.Location.Pack, y.Location.Pack);
        return byPack != 0 ? byPack : x.Location.Offset.CompareTo(y.Location.Offset);
    }
}

/// <summary>Packed writes as spill lines: "pack offset stored " and the record's index line.</summary>
internal sealed class PackedWriteCodec : ISpillCodec<PackedWrite>
{
    /// <summary>The one instance.</summary>
    public static PackedWriteCodec Instance { get; } = new();

    /// <inheritdoc />
    public void Write(IBufferWriter<byte> output, PackedWrite item)
    {
        var location = item.Location;
        var prefix = Encoding.ASCII.GetBytes($"{location.Pack} {location.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture)} {location.Stored.ToString(System.Globalization.CultureInfo.InvariantCulture)} ");
        output.Write(prefix);
        IndexLineFormat.Write(output, item.Record);
    }

    /// <inheritdoc />
    public PackedWrite Read(ReadOnlySpan<byte> line)
    {
        var pack = Field(ref line);
        var offset = Number(Field(ref line));
        var stored = Number(Field(ref line));
        var record = IndexLineFormat.Read(line, "a restore's spill file");
        var sha = ContentDigest.Parse(record.Sha256 ?? "", "a restore's spill file");
        return new PackedWrite(new ContentLocation(sha, record.Size, Encoding.ASCII.GetString(pack), offset, stored), record);
    }

    private static ReadOnlySpan<byte> Field(ref ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        if (space <= 0)
            throw Damaged();
        var field = line[..space];
        line = line[(space + 1)..];
        return field;
    }

    private static long Number(ReadOnlySpan<byte> text) =>
        Utf8Parser.TryParse(text, out long value, out var used) && used == text.Length ? value : throw Damaged();

    private static DamagedRecordException Damaged() =>
        new("a line of a restore's spill file is not 'pack offset stored record'", "the local spill file was changed while the restore ran");
}
