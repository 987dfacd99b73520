namespace Lifeboat.Postgres.Wal;

/// <summary>Where recovery reading a run of archived segments meets the commit or abort record of one transaction, as the segments' records tell it.</summary>
/// <param name="Segment">The first segment that ends the transaction, as a running number, or null when none of those searched does.</param>
/// <param name="Unrecorded">How many of the segments searched before it have no list of the transactions that ended in them
/// (archived by an older Lifeboat, too scattered to list, or without a record): the transaction may end there unseen.</param>
public sealed record TransactionEndSearch(ulong? Segment, int Unrecorded)
{
    /// <summary>
    /// Searches <paramref name="records"/>, the records of the segments from <paramref name="first"/> on, which recovery
    /// reads without a gap. A transaction end that runs on past the last of them cannot be read whole and is not found.
    /// </summary>
    public static TransactionEndSearch Find(uint xid, ulong first, IReadOnlyList<WalSegmentRecord?> records)
    {
        var unrecorded = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (record?.TransactionEndRunningOn == xid && i + 1 < records.Count)
                return new TransactionEndSearch(first + (ulong)i, unrecorded);
            if (record?.TransactionsEnded is not { } ended)
                unrecorded++;
            else if (ended.Any(range => range.Contains(xid)))
                return new TransactionEndSearch(first + (ulong)i, unrecorded);
        }

        return new TransactionEndSearch(null, unrecorded);
    }
}
