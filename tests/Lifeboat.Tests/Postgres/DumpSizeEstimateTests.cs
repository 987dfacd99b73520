using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

/// <summary>The backup's progress estimate: a guess from the tables' sizes on disk, re-estimated as pg_dump's archive streams by.</summary>
public sealed class DumpSizeEstimateTests
{
    private const int Chunk = 64 * 1024;

    // One int field of TestArchive's default layout: a sign byte and four bytes.
    private const int IntField = 5;

    [Fact]
    public void The_estimate_ends_at_the_archive_s_real_size_however_far_off_the_first_guess_was()
    {
        var archive = Archive(tables: [(2, 8), (3, 4), (4, 1)]);
        var estimate = new DumpSizeEstimate(Guesses((2, 3 * 8 * Chunk), (3, 3 * 4 * Chunk), (4, 3 * Chunk)), largeObjectBytes: 0);

        Feed(estimate, archive, piece: 1000);

        Assert.Equal(archive.Length, estimate.Seen);
        Assert.Equal(archive.Length, estimate.Total);
    }

    [Fact]
    public void Tables_already_dumped_scale_the_guess_for_the_tables_still_to_come()
    {
        // Every table comes out at half its guess, as a database of wide binary rows would.
        var archive = Archive(tables: [(2, 32), (3, 32), (4, 32)]);
        var estimate = new DumpSizeEstimate(Guesses((2, 2 * 32 * Chunk), (3, 2 * 32 * Chunk), (4, 2 * 32 * Chunk)), largeObjectBytes: 0);
        var firstBlockEnds = archive.Length - (2 * BlockLength(32));

        Feed(estimate, archive.AsSpan(0, firstBlockEnds), piece: 4096);

        var initialMiss = Math.Abs(estimate.Initial - archive.Length);
        var missNow = Math.Abs(estimate.Total - archive.Length);
        Assert.True(missNow < initialMiss / 3, $"after the first table the estimate is {estimate.Total} for an archive of {archive.Length} (first guess {estimate.Initial})");
    }

    [Fact]
    public void A_small_first_table_far_from_its_guess_does_not_swing_the_estimate_of_the_rest()
    {
        // A table of a few rows fills a whole 8 KiB page on disk and writes a few hundred bytes.
        var archive = Archive(tables: [(2, 0), (3, 32)]);
        var estimate = new DumpSizeEstimate(Guesses((2, 8192), (3, 32 * Chunk)), largeObjectBytes: 0);
        var firstBlockEnds = archive.Length - BlockLength(32);

        Feed(estimate, archive.AsSpan(0, firstBlockEnds), piece: 100);

        Assert.InRange(estimate.Total, archive.Length * 0.97, archive.Length * 1.03);
    }

    [Fact]
    public void Tables_whose_data_the_archive_does_not_carry_leave_the_estimate_once_its_table_of_contents_is_read()
    {
        var archive = Archive(tables: [(2, 4)]);
        var estimate = new DumpSizeEstimate(Guesses((2, 4 * Chunk), (99, 100 * Chunk)), largeObjectBytes: 0);

        Feed(estimate, archive.AsSpan(0, 400), piece: 400);

        Assert.Equal(104 * Chunk, estimate.Initial);
        Assert.InRange(estimate.Total, 4 * Chunk, 5 * Chunk);
    }

    [Fact]
    public void An_archive_the_scan_cannot_follow_keeps_the_last_estimate_and_never_falls_below_what_was_seen()
    {
        var estimate = new DumpSizeEstimate(Guesses((2, 1000)), largeObjectBytes: 0);

        Feed(estimate, new byte[5000], piece: 100);

        Assert.Equal(5000, estimate.Seen);
        Assert.Equal(5000, estimate.Total);
    }

    private static byte[] Archive((int DumpId, int Chunks)[] tables)
    {
        var archive = new TestArchive();
        foreach (var (dumpId, chunks) in tables)
            archive.Table(dumpId, Enumerable.Range(0, chunks).Select(i => TestArchive.Bytes(Chunk, i)).ToArray());
        return archive.Build(withOffsets: false);
    }

    // A table-data block: its type byte and dump id, then each chunk with its length, then a zero length.
    private static int BlockLength(int chunks) => 1 + IntField + (chunks * (IntField + Chunk)) + IntField;

    // TestArchive names each entry "entry N" in schema public.
    private static Dictionary<(string Schema, string Table), long> Guesses(params (int DumpId, long Bytes)[] tables) =>
        tables.ToDictionary(t => ("public", $"entry {t.DumpId}"), t => t.Bytes);

    private static void Feed(DumpSizeEstimate estimate, ReadOnlySpan<byte> bytes, int piece)
    {
        for (var at = 0; at < bytes.Length; at += piece)
            estimate.Observe(bytes.Slice(at, Math.Min(piece, bytes.Length - at)));
    }
}
