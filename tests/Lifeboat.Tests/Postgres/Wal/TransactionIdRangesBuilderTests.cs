using Lifeboat.Postgres.Wal;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>How the transactions ending in a segment are kept: sorted ranges of consecutive ids, bounded in number.</summary>
public sealed class TransactionIdRangesBuilderTests
{
    [Fact]
    public void Ids_in_any_order_collapse_into_sorted_ranges_of_consecutive_ids()
    {
        var builder = new TransactionIdRangesBuilder();
        foreach (var xid in new uint[] { 12, 10, 11, 20, 14, 13, 11, uint.MaxValue, 3, uint.MaxValue - 1 })
            builder.Add(xid);

        Assert.Equal(
            [new TransactionIdRange(3, 3), new TransactionIdRange(10, 14), new TransactionIdRange(20, 20), new TransactionIdRange(uint.MaxValue - 1, uint.MaxValue)],
            builder.Build());
    }

    [Fact]
    public void Many_ids_in_a_few_ranges_are_kept_across_merges()
    {
        var builder = new TransactionIdRangesBuilder();
        for (uint xid = 1_000_000; xid > 1000; xid--)
        {
            if (xid % 100_000 != 0)
                builder.Add(xid);
        }

        var ranges = builder.Build()!;

        Assert.Equal(10, ranges.Count);
        Assert.Equal((1001u, 99_999u), (ranges[0].First, ranges[0].Last));
        Assert.Equal((900_001u, 999_999u), (ranges[^1].First, ranges[^1].Last));
    }

    [Fact]
    public void Too_scattered_ids_are_not_recorded_rather_than_recorded_in_part()
    {
        var builder = new TransactionIdRangesBuilder();
        for (uint xid = 0; xid <= 2 * TransactionIdRangesBuilder.MaxRanges; xid++)
            builder.Add(xid * 2);

        Assert.Null(builder.Build());
    }
}
