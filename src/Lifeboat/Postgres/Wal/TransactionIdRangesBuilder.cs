namespace Lifeboat.Postgres.Wal;

/// <summary>
/// Collects transaction ids into sorted ranges of consecutive ids, in bounded memory: ids that end in one segment are
/// mostly consecutive, so a handful of ranges usually holds thousands of them.
/// </summary>
public sealed class TransactionIdRangesBuilder
{
    /// <summary>The most ranges kept; past it the set is not recorded at all (a partial one would wrongly say an id is missing).</summary>
    public const int MaxRanges = 4096;

    private const int PendingLimit = 4096;

    private readonly List<uint> _pending = [];
    private List<TransactionIdRange> _ranges = [];
    private bool _overflowed;

    /// <summary>Adds one id.</summary>
    public void Add(uint xid)
    {
        if (_overflowed)
            return;
        _pending.Add(xid);
        if (_pending.Count >= PendingLimit)
            Merge();
    }

    /// <summary>The ids added, as sorted ranges that neither overlap nor touch; null when they took more than <see cref="MaxRanges"/>.</summary>
    public IReadOnlyList<TransactionIdRange>? Build()
    {
        Merge();
        return _overflowed ? null : _ranges.ToArray();
    }

    private void Merge()
    {
        if (_overflowed || _pending.Count == 0)
            return;
        _pending.Sort();
        var merged = new List<TransactionIdRange>(_ranges.Count + 16);
        int r = 0, p = 0;
        while (r < _ranges.Count || p < _pending.Count)
        {
            var next = p == _pending.Count || (r < _ranges.Count && _ranges[r].First <= _pending[p])
                ? _ranges[r++]
                : new TransactionIdRange(_pending[p], _pending[p++]);
            Append(merged, next);
        }

        _pending.Clear();
        _ranges = merged;
        if (_ranges.Count > MaxRanges)
        {
            _overflowed = true;
            _ranges = [];
        }
    }

    // Ranges arrive sorted by their first id: one that overlaps or touches the last one extends it.
    private static void Append(List<TransactionIdRange> ranges, TransactionIdRange next)
    {
        if (ranges.Count > 0 && (ulong)next.First <= (ulong)ranges[^1].Last + 1)
        {
            var last = ranges[^1];
            ranges[^1] = last with { Last = Math.Max(last.Last, next.Last) };
            return;
        }

        ranges.Add(next);
    }
}
