using System.Buffers;

namespace Lifeboat.Buckets.Index;

/// <summary>Turns items into spill-file lines and back; a line never contains '\n'.</summary>
public interface ISpillCodec<T>
{
    /// <summary>Appends <paramref name="item"/> as one line, its '\n' included.</summary>
    void Write(IBufferWriter<byte> output, T item);

    /// <summary>Parses one line, given without its '\n'.</summary>
    T Read(ReadOnlySpan<byte> line);
}

/// <summary>Index records as index lines, for spilling.</summary>
public sealed class IndexRecordCodec : ISpillCodec<BucketObjectRecord>
{
    /// <summary>The one instance.</summary>
    public static IndexRecordCodec Instance { get; } = new();

    /// <inheritdoc />
    public void Write(IBufferWriter<byte> output, BucketObjectRecord item) => IndexLineFormat.Write(output, item);

    /// <inheritdoc />
    public BucketObjectRecord Read(ReadOnlySpan<byte> line) => IndexLineFormat.Read(line, "spill file");
}

/// <summary>Orders records by key in UTF-8 byte order, the order of listings and of the index.</summary>
public sealed class RecordKeyOrder : IComparer<BucketObjectRecord>
{
    /// <summary>The one instance.</summary>
    public static RecordKeyOrder Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(BucketObjectRecord? x, BucketObjectRecord? y) => Storage.ObjectKeyComparer.Instance.Compare(x?.Key, y?.Key);
}
