using Lifeboat.IO;
using Lifeboat.Redis;
using Lifeboat.Redis.Rdb;
using Lifeboat.Tests.Redis.Rdb;

namespace Lifeboat.Tests.Redis;

/// <summary>The exact key counts a backup records, taken from the RDB as it passes on to its copy.</summary>
public sealed class RdbKeyCountTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_database_s_keys_and_expiring_keys_are_counted_and_every_byte_reaches_the_copy()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        var copy = new MemoryStream();

        var counts = await CountAsync(rdb, copy, new RecordingReporter());

        var expected = RdbTestFiles.ExpectedKeys().GroupBy(k => k.Db).OrderBy(g => g.Key)
            .Select(g => new RedisKeyspace(g.Key, g.Count(), g.Count(k => k.ExpireAtMs >= 0)));
        Assert.Equal(expected, counts);
        Assert.Equal(rdb, copy.ToArray());
    }

    [Fact]
    public async Task An_rdb_the_reader_cannot_walk_is_not_counted_but_passes_whole_with_a_warning()
    {
        // A module value of a Redis 4.0 release candidate, which the reader does not walk.
        var rdb = RdbBytes.Of([0xfe, 0x00, RdbType.ModulePreGa, 0x01, (byte)'m', 0x00], version: 8);
        var copy = new MemoryStream();
        var reporter = new RecordingReporter();

        var counts = await CountAsync(rdb, copy, reporter);

        Assert.Null(counts);
        Assert.Equal(rdb, copy.ToArray());
        var warning = Assert.Single(reporter.Warnings);
        Assert.StartsWith("the keys of the test RDB were not counted", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_rdb_of_a_version_newer_than_lifeboat_reads_is_stored_uncounted_with_a_warning_when_its_checksum_is_right()
    {
        // What a Redis upgrade brings: the same envelope, a version the reader does not know.
        var rdb = RdbBytes.Of([0xfe, 0x00, 0x00, 0x01, (byte)'k', 0x01, (byte)'v'], version: 13);
        var copy = new MemoryStream();
        var reporter = new RecordingReporter();

        var counts = await CountAsync(rdb, copy, reporter);

        Assert.Null(counts);
        Assert.Equal(rdb, copy.ToArray());
        Assert.Equal(
            "the keys of the test RDB were not counted, so a restore can check them against the RDB's own counts only: the test RDB has RDB version 13, which this reader does not know (it reads 1 to 12)",
            Assert.Single(reporter.Warnings));
    }

    [Fact]
    public async Task An_rdb_of_a_newer_version_whose_checksum_fails_is_refused_without_a_warning()
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, 0x00, 0x01, (byte)'k', 0x01, (byte)'v'], version: 13);
        rdb[^12] ^= 0x01;
        var reporter = new RecordingReporter();

        var e = await Assert.ThrowsAsync<LifeboatException>(() => CountAsync(rdb, Stream.Null, reporter));

        Assert.StartsWith("the test RDB fails its CRC64 check", e.Message, StringComparison.Ordinal);
        Assert.Empty(reporter.Warnings);
    }

    [Fact]
    public async Task A_failure_of_the_stream_beneath_is_thrown_not_taken_for_an_unreadable_rdb()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        var cut = new RdbCheckingStream(new MemoryStream(rdb[..(rdb.Length / 2)]), "the cut RDB", "take another");
        var reporter = new RecordingReporter();

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbKeyCount.CountAsync(new TeeReadStream(cut, Stream.Null), cut, "the cut RDB", reporter, Ct));

        Assert.StartsWith("the cut RDB is truncated or damaged", e.Message, StringComparison.Ordinal);
        Assert.Empty(reporter.Warnings);
    }

    /// <summary>Counts <paramref name="rdb"/> as a backup does: through the check, then the tee to <paramref name="copy"/>.</summary>
    internal static Task<IReadOnlyList<RedisKeyspace>?> CountAsync(byte[] rdb, Stream copy, IActivityReporter reporter)
    {
        var check = new RdbCheckingStream(new MemoryStream(rdb), "the test RDB", "take another");
        return RdbKeyCount.CountAsync(new TeeReadStream(check, copy), check, "the test RDB", reporter, Ct);
    }

    internal sealed class RecordingReporter : IActivityReporter
    {
        public List<string> Warnings { get; } = [];

        public void Event(string message)
        {
        }

        public void Warning(string message) => Warnings.Add(message);

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) =>
            SilentReporter.Instance.StartTransfer(description, totalBytes, estimated);

        public IProgress<ItemsDone> StartItems(string description, int totalItems) => SilentReporter.Instance.StartItems(description, totalItems);
    }
}
