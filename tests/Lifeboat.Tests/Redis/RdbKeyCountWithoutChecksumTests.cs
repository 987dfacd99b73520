using Lifeboat.Redis.Rdb;
using Lifeboat.Tests.Redis.Rdb;

namespace Lifeboat.Tests.Redis;

/// <summary>
/// An RDB sent with checksums off (rdbchecksum no) has only its structure to vouch for it: one the reader cannot walk
/// fails the backup, unless what stopped the reader is a type it does not know how to walk (a Redis 4.0 release
/// candidate's module value, a newer Redis's).
/// </summary>
public sealed class RdbKeyCountWithoutChecksumTests
{
    [Fact]
    public async Task An_rdb_without_a_checksum_that_the_reader_cannot_walk_fails_the_backup()
    {
        var rdb = WithoutChecksum(RdbBytes.Of([0xfe, 0x00, 0x30, 0x01, (byte)'k', 0x01, (byte)'v']));
        var reporter = new RdbKeyCountTests.RecordingReporter();

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbKeyCountTests.CountAsync(rdb, Stream.Null, reporter));

        Assert.Equal(
            "the test RDB cannot be read at byte 11: byte 0x30 is neither an opcode nor a value type this reader knows; it was sent without a checksum, so nothing else vouches for its bytes",
            e.Message);
        Assert.Empty(reporter.Warnings);
    }

    [Fact]
    public async Task The_same_rdb_with_a_checksum_that_matches_is_stored_with_a_warning()
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, 0x30, 0x01, (byte)'k', 0x01, (byte)'v']);
        var reporter = new RdbKeyCountTests.RecordingReporter();

        var counts = await RdbKeyCountTests.CountAsync(rdb, Stream.Null, reporter);

        Assert.Null(counts);
        Assert.StartsWith("the keys of the test RDB were not counted", Assert.Single(reporter.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_rdb_without_a_checksum_holding_a_type_the_reader_does_not_walk_is_stored_with_a_warning()
    {
        var rdb = WithoutChecksum(RdbBytes.Of([0xfe, 0x00, RdbType.ModulePreGa, 0x01, (byte)'x', 0x81, 1, 2, 3, 4, 5, 6, 7, 8, 0x00], version: 12));
        var copy = new MemoryStream();
        var reporter = new RdbKeyCountTests.RecordingReporter();

        var counts = await RdbKeyCountTests.CountAsync(rdb, copy, reporter);

        Assert.Null(counts);
        Assert.Equal(rdb, copy.ToArray());
        Assert.Contains("in the value of key 'x' (database 0)", Assert.Single(reporter.Warnings), StringComparison.Ordinal);
    }

    private static byte[] WithoutChecksum(byte[] rdb)
    {
        rdb.AsSpan(rdb.Length - 8).Clear();
        return rdb;
    }
}
