using System.Buffers;

namespace Lifeboat.Buckets.Index;

/// <summary>Collects one segment's lines in memory (≤ ~10 MB), so its name, the hash of its bytes, is known before upload.</summary>
internal sealed class IndexSegmentBuilder
{
    private readonly ArrayBufferWriter<byte> _bytes = new(1 << 20);
    private string? _firstKey;
    private string? _lastKey;

    /// <summary>Records added since the last cut.</summary>
    public long Records { get; private set; }

    /// <summary>Appends one record; records come in index order.</summary>
    public void Add(BucketObjectRecord record)
    {
        IndexLineFormat.Write(_bytes, record);
        _firstKey ??= record.Key;
        _lastKey = record.Key;
        Records++;
    }

    /// <summary>The segment collected so far and its bytes, and a fresh start; null when nothing was added.</summary>
    public (IndexSegment Segment, byte[] Bytes)? Cut()
    {
        if (Records == 0)
            return null;
        var bytes = _bytes.WrittenSpan.ToArray();
        var segment = new IndexSegment(IndexRoot.NameOf(bytes), _firstKey!, _lastKey!, Records, bytes.Length);
        _bytes.ResetWrittenCount();
        (_firstKey, _lastKey, Records) = (null, null, 0);
        return (segment, bytes);
    }
}
