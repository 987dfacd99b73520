using Lifeboat.Postgres.Wal;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>What the archive learns of a segment while it streams past, compared with what pg_waldump says of it (TestData/wal/README.md).</summary>
public sealed class WalSegmentScannerTests
{
    private const string Name = WalFixture.Name;
    private static readonly DateTimeOffset Day = new(2026, 12, 3, 10, 42, 35, TimeSpan.Zero);

    [Fact]
    public void A_segment_gives_its_cluster_its_first_and_last_commit_and_its_restore_points()
    {
        var summary = Scan(WalFixture.Segment(), chunk: 65536);

        Assert.Equal(((ushort)0xD110, (int?)15, 1u, 7715026332713570263UL, 1u << 20, 8192u, 0x700000UL),
            (summary.Header.Magic, summary.Header.MajorVersion, summary.Header.Timeline, summary.Header.SystemId, summary.Header.SegmentSize, summary.Header.BlockSize, summary.Header.PageAddress));
        Assert.Equal(5, summary.Commits);
        Assert.Equal(new WalCommit(Day.AddTicks(4_216_240), 724, 0x7259A0), summary.FirstCommit);
        Assert.Equal(new WalCommit(Day.AddTicks(4_503_690), 730, 0x7FB398), summary.LastCommit);
        var point = Assert.Single(summary.RestorePoints);
        Assert.Equal(("before-drop", 0x7FA920UL), (point.Name, point.Position));
        Assert.InRange(point.Time, Day.AddTicks(4_451_440), Day.AddTicks(4_479_090));
        Assert.Equal(0x7FB878 + 24 - 0x700000, summary.ValidBytes);
        Assert.Equal(0x7FB878 - 0x700000, summary.LastRecordStart);
    }

    [Fact]
    public void The_summary_is_the_same_however_the_bytes_arrive()
    {
        var segment = WalFixture.Segment();
        var whole = Scan(segment, chunk: segment.Length);
        var random = new Random(7);

        for (var round = 0; round < 5; round++)
        {
            var scanner = new WalSegmentScanner(Name);
            for (var at = 0; at < segment.Length;)
            {
                var take = Math.Min(segment.Length - at, random.Next(1, 20_000));
                scanner.Append(segment.AsSpan(at, take));
                at += take;
            }

            var summary = scanner.Complete();
            Assert.Equal((whole.Commits, whole.FirstCommit, whole.LastCommit, whole.ValidBytes), (summary.Commits, summary.FirstCommit, summary.LastCommit, summary.ValidBytes));
            Assert.Equal(whole.RestorePoints, summary.RestorePoints);
        }
    }

    [Fact]
    public void A_commit_of_a_prepared_transaction_is_named_by_the_transaction_that_prepared_it()
    {
        // Valid WAL ends where the restore point was: its record and everything after it zeroed.
        var segment = WalFixture.Segment();
        Array.Clear(segment, 0x7FA920 - 0x700000, segment.Length - (0x7FA920 - 0x700000));

        var summary = Scan(segment, chunk: 8192);

        Assert.Equal(3, summary.Commits);
        Assert.Equal(new WalCommit(Day.AddTicks(4_451_440), 726, 0x7FA8F0), summary.LastCommit);
        Assert.Empty(summary.RestorePoints);
        Assert.Equal(0x7FA8F0 + 42 - 0x700000, summary.ValidBytes);
    }

    [Fact]
    public void Records_written_over_a_record_torn_by_a_crash_are_read_as_postgresql_reads_them()
    {
        // As PostgreSQL writes it after a crash tore a record across pages: the next page is flagged "overwrite
        // continuation" and starts with new records (here a copy of transaction 725's commit), not the torn rest.
        var segment = WalFixture.Segment();
        var page = FirstContinuedPageAfter(segment, 0x7259A0 - 0x700000);
        BitConverter.GetBytes((ushort)WalPageHeader.FirstIsOverwriteContinuation).CopyTo(segment, page + 2);
        BitConverter.GetBytes(0u).CopyTo(segment, page + 16);
        Array.Clear(segment, page + WalPageHeader.ShortSize, segment.Length - page - WalPageHeader.ShortSize);
        Array.Copy(WalFixture.Segment(), 0x7FA750 - 0x700000, segment, page + WalPageHeader.ShortSize, 34);

        var summary = Scan(segment, chunk: 10_000);

        Assert.Equal(new WalCommit(Day.AddTicks(4_291_710), 725, 0x700000UL + (ulong)page + WalPageHeader.ShortSize), summary.LastCommit);
        Assert.Equal(724u, summary.FirstCommit!.TransactionId);
    }

    [Fact]
    public void A_record_that_fails_its_checksum_ends_the_valid_wal_as_in_recovery()
    {
        var segment = WalFixture.Segment();
        segment[0x7FB398 - 0x700000 + 40] ^= 0x01; // inside the last commit's data

        var summary = Scan(segment, chunk: 8192);

        Assert.Equal(4, summary.Commits);
        Assert.Equal(727u, summary.LastCommit!.TransactionId);
        Assert.InRange(summary.ValidBytes, 0x7FAA88 + 50 - 0x700000, 0x7FB398 - 0x700000);
    }

    private static int FirstContinuedPageAfter(byte[] segment, int offset)
    {
        for (var page = (offset / 8192 + 1) * 8192; page < segment.Length; page += 8192)
        {
            if ((BitConverter.ToUInt16(segment, page + 2) & WalPageHeader.FirstIsContinuation) != 0)
                return page;
        }

        throw new InvalidOperationException("the fixture has no page that continues a record");
    }

    [Fact]
    public void A_file_that_is_no_wal_segment_is_refused_naming_it_and_why()
    {
        var zeros = Assert.Throws<LifeboatException>(() => Scan(new byte[1 << 20], chunk: 4096));
        var shortFile = Assert.Throws<LifeboatException>(() => Scan(WalFixture.Segment()[..30], chunk: 30));
        var otherVersion = WalFixture.Segment();
        otherVersion[0] = 0x01;

        var unknownMark = Assert.Throws<LifeboatException>(() => Scan(otherVersion, chunk: 8192));

        Assert.Equal($"'{Name}' is not a PostgreSQL WAL segment: its first page has no long header", zeros.Message);
        Assert.Equal($"'{Name}' is not a PostgreSQL WAL segment: it is 30 bytes long, shorter than a WAL page header", shortFile.Message);
        Assert.Equal($"'{Name}' is not a PostgreSQL WAL segment: its WAL format mark 0xD101 is not one of PostgreSQL 13 to 17", unknownMark.Message);
    }

    private static WalSegmentSummary Scan(byte[] segment, int chunk)
    {
        var scanner = new WalSegmentScanner(Name);
        for (var at = 0; at < segment.Length; at += chunk)
            scanner.Append(segment.AsSpan(at, Math.Min(chunk, segment.Length - at)));
        return scanner.Complete();
    }

}
