using System.Buffers.Binary;
using System.Numerics;
using System.Text.Json;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>
/// Which transactions a segment ends, by the id a transaction target matches: commits and aborts, prepared ones by the
/// id that prepared them, never the subtransactions a commit lists (the fixture's records, TestData/wal/README.md).
/// </summary>
public sealed class WalSegmentScannerTransactionEndTests
{
    private const int Base = 0x700000;

    [Fact]
    public void The_fixture_ends_its_top_level_and_prepared_transactions_but_not_the_subtransactions_a_commit_lists()
    {
        var summary = Scan(WalFixture.Segment());

        // 724, 725, 726 (committed as prepared: the record's own id is 0), 727 (with subtransactions 728 and 729), 730.
        Assert.Equal([new TransactionIdRange(724, 727), new TransactionIdRange(730, 730)], summary.TransactionsEnded);
        Assert.Null(summary.TransactionEndRunningOn);
    }

    [Fact]
    public void An_abort_ends_its_transaction_as_a_commit_does_and_a_prepared_one_by_the_id_that_prepared_it()
    {
        var segment = WalFixture.Segment();
        Rewrite(segment, 0x7FA750, 34, record => record[16] = 0x20);        // 725: COMMIT to ABORT
        Rewrite(segment, 0x7FA8F0, 42, record => record[16] = 0x80 | 0x40); // 726: COMMIT_PREPARED to ABORT_PREPARED

        var summary = Scan(segment);

        Assert.Equal([new TransactionIdRange(724, 727), new TransactionIdRange(730, 730)], summary.TransactionsEnded);
        Assert.Equal(3, summary.Commits);
    }

    [Theory]
    [InlineData(0x7FA750, 34, 0x00, 725u)]        // a commit: the record's own id
    [InlineData(0x7FA750, 34, 0x20, 725u)]        // an abort
    [InlineData(0x7FA8F0, 42, 0x80 | 0x30, 726u)] // a prepared transaction's commit: the id that prepared it
    [InlineData(0x7FA8F0, 42, 0x80 | 0x40, 726u)] // and its abort
    public void A_transaction_end_running_on_into_the_next_segment_is_noted_apart(int position, int length, byte info, uint expected)
    {
        // One page holding only the start of that record, grown to run past the page: the segment's bytes end inside it.
        var fixture = WalFixture.Segment();
        var page = fixture[..8192];
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(2), WalPageHeader.LongHeader);
        Array.Clear(page, WalPageHeader.LongSize, page.Length - WalPageHeader.LongSize);
        Array.Copy(fixture, position - Base, page, WalPageHeader.LongSize, length);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(WalPageHeader.LongSize), 10_000);
        page[WalPageHeader.LongSize + 16] = info;

        var summary = Scan(page);

        Assert.Equal(expected, summary.TransactionEndRunningOn);
        Assert.Equal([], summary.TransactionsEnded);
        Assert.Equal(0, summary.Commits);
    }

    [Fact]
    public void Another_record_running_on_into_the_next_segment_ends_no_transaction()
    {
        var fixture = WalFixture.Segment();
        var page = fixture[..8192];
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(2), WalPageHeader.LongHeader);
        Array.Clear(page, WalPageHeader.LongSize, page.Length - WalPageHeader.LongSize);
        Array.Copy(fixture, 0x7FA7F8 - Base, page, WalPageHeader.LongSize, 242); // 726's PREPARE: it ends nothing
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(WalPageHeader.LongSize), 10_000);

        Assert.Null(Scan(page).TransactionEndRunningOn);
    }

    [Fact]
    public void A_segment_record_keeps_the_ranges_as_pairs_and_an_older_record_reads_without_them()
    {
        var record = new WalSegmentRecord
        {
            Sha256 = "",
            SizeBytes = 1,
            ArchivedAt = DateTimeOffset.UnixEpoch,
            TransactionsEnded = [new TransactionIdRange(724, 727), new TransactionIdRange(730, 730)],
            TransactionEndRunningOn = 731,
        };

        var json = JsonSerializer.Serialize(record, WalJson.Default.WalSegmentRecord);
        var back = JsonSerializer.Deserialize(json, WalJson.Default.WalSegmentRecord)!;
        var older = JsonSerializer.Deserialize("""{"sha256":"","sizeBytes":1,"archivedAt":"2026-12-03T10:00:00Z"}""", WalJson.Default.WalSegmentRecord)!;

        Assert.Contains("\"transactionsEnded\":[[724,727],[730,730]],\"transactionEndRunningOn\":731", json, StringComparison.Ordinal);
        Assert.Equal(record.TransactionsEnded, back.TransactionsEnded);
        Assert.Equal(731u, back.TransactionEndRunningOn);
        Assert.Null(older.TransactionsEnded);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"sha256":"","sizeBytes":1,"archivedAt":"2026-12-03T10:00:00Z","transactionsEnded":[[9,3]]}""", WalJson.Default.WalSegmentRecord));
    }

    private static WalSegmentSummary Scan(byte[] segment)
    {
        var scanner = new WalSegmentScanner(WalFixture.Name);
        scanner.Append(segment);
        return scanner.Complete();
    }

    /// <summary>Changes a record that lies within one page and gives it the checksum PostgreSQL would have written.</summary>
    private static void Rewrite(byte[] segment, int position, int length, Action<byte[]> change)
    {
        var record = segment.AsSpan(position - Base, length).ToArray();
        change(record);
        var crc = Crc32C(uint.MaxValue, record.AsSpan(24));
        crc = ~Crc32C(crc, record.AsSpan(0, 20));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(20), crc);
        record.CopyTo(segment, position - Base);
    }

    private static uint Crc32C(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
