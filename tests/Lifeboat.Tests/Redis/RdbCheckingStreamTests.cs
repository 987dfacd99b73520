using System.Buffers.Binary;
using Lifeboat.Redis;
using Lifeboat.Tests.Redis.Rdb;

namespace Lifeboat.Tests.Redis;

/// <summary>The RDB envelope check against files Redis 7.2 wrote, and against cut and damaged copies of them.</summary>
public sealed class RdbCheckingStreamTests
{
    private const string What = "the test RDB";
    private const string Hint = "take another";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("all-types-7.2.rdb")]
    [InlineData("all-types-lfu-7.2.rdb")]
    [InlineData("all-types-lru-7.2.rdb")]
    public async Task An_rdb_written_by_redis_7_2_passes_with_its_version_length_and_checksum(string file)
    {
        var rdb = Read(file);

        var check = await VerifyAsync(rdb);

        Assert.True(check.Verified);
        Assert.Equal(11, check.Version);
        Assert.Equal(rdb.Length, check.BytesRead);
        Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(rdb.AsSpan(rdb.Length - 8)), check.Checksum);
    }

    [Fact]
    public async Task An_rdb_written_with_checksums_off_passes_with_no_checksum()
    {
        var rdb = Read("all-types-nocompress-nochecksum-7.2.rdb");

        var check = await VerifyAsync(rdb);

        Assert.True(check.Verified);
        Assert.Null(check.Checksum);
        Assert.Equal(rdb.Length, check.BytesRead);
    }

    [Fact]
    public async Task The_bytes_pass_through_unchanged_whatever_the_size_of_the_reads()
    {
        var rdb = Read("all-types-7.2.rdb");

        foreach (var piece in new[] { 1, 2, 7, 8, 9, 10, 4096 })
        {
            var check = new RdbCheckingStream(new TrickleStream(rdb, piece), What, Hint);
            var copy = new MemoryStream();
            await check.CopyToAsync(copy, 3, Ct);
            Assert.Equal(rdb, copy.ToArray());
            Assert.True(check.Verified);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(9)]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(-2)]
    [InlineData(-8)]
    [InlineData(-9)]
    public async Task A_truncated_rdb_fails_saying_it_is_truncated(int keep)
    {
        var rdb = Read("all-types-7.2.rdb");
        var cut = rdb[..(keep >= 0 ? keep : rdb.Length + keep)];

        var error = await Assert.ThrowsAsync<LifeboatException>(() => VerifyAsync(cut));

        Assert.StartsWith($"{What} is truncated", error.Message, StringComparison.Ordinal);
        Assert.Equal(Hint, error.Hint);
    }

    [Fact]
    public async Task An_rdb_short_of_its_last_byte_fails_the_crc64_check_when_the_byte_before_its_trailer_looks_like_the_marker()
    {
        // This file's last value is a listpack, which ends with 0xFF too: cut by one byte, its end looks like a marker.
        var rdb = Read("all-types-7.2.rdb");

        var error = await Assert.ThrowsAsync<LifeboatException>(() => VerifyAsync(rdb[..^1]));

        Assert.StartsWith($"{What} fails its CRC64 check", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_rdb_written_with_checksums_off_fails_too()
    {
        var rdb = Read("all-types-nocompress-nochecksum-7.2.rdb");

        var error = await Assert.ThrowsAsync<LifeboatException>(() => VerifyAsync(rdb[..^100]));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(13000)]
    [InlineData(-10)]
    [InlineData(-3)]
    public async Task A_flipped_bit_in_the_content_or_the_trailer_fails_the_crc64_check(int at)
    {
        var rdb = Read("all-types-7.2.rdb");
        rdb[at >= 0 ? at : rdb.Length + at] ^= 0x10;

        var error = await Assert.ThrowsAsync<LifeboatException>(() => VerifyAsync(rdb));

        Assert.StartsWith($"{What} fails its CRC64 check: its trailer records ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flipped_end_of_file_opcode_fails_as_not_ending_with_the_marker()
    {
        var rdb = Read("all-types-7.2.rdb");
        rdb[^9] ^= 0x01;

        var error = await Assert.ThrowsAsync<LifeboatException>(() => VerifyAsync(rdb));

        Assert.Contains("do not end with the RDB end-of-file marker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Something_that_is_not_an_rdb_fails_quoting_how_it_begins()
    {
        var text = "+OK this is no RDB at all, just text"u8.ToArray();

        var error = await Assert.ThrowsAsync<LifeboatException>(() => VerifyAsync(text));

        Assert.Equal($"{What} is not an RDB: it begins with '+OK this ', not 'REDIS' and a four-digit version", error.Message);
    }

    [Fact]
    public async Task A_header_that_is_not_an_rdb_fails_as_soon_as_its_nine_bytes_are_read()
    {
        var rdb = Read("all-types-7.2.rdb");
        rdb[0] = (byte)'X';
        var check = new RdbCheckingStream(new MemoryStream(rdb), What, Hint);

        var error = await Assert.ThrowsAsync<LifeboatException>(async () => await check.ReadAtLeastAsync(new byte[16], 16, cancellationToken: Ct));

        Assert.Contains("is not an RDB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_rdb_version_newer_than_lifeboat_reads_passes_when_its_checksum_is_right()
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, 0x00, 0x01, (byte)'k', 0x01, (byte)'v'], version: 13);

        var check = await VerifyAsync(rdb);

        Assert.True(check.Verified);
        Assert.Equal(13, check.Version);
    }

    [Fact]
    public async Task An_rdb_version_newer_than_lifeboat_reads_fails_when_its_checksum_does()
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, 0x00, 0x01, (byte)'k', 0x01, (byte)'v'], version: 13);
        rdb[^12] ^= 0x01;

        var error = await Assert.ThrowsAsync<LifeboatException>(() => VerifyAsync(rdb));

        Assert.StartsWith($"{What} fails its CRC64 check", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rdb_version_0_is_no_rdb()
    {
        var rdb = Read("all-types-7.2.rdb");
        "0000"u8.CopyTo(rdb.AsSpan(5));

        var error = await Assert.ThrowsAsync<LifeboatException>(() => VerifyAsync(rdb));

        Assert.Equal($"{What} is RDB version 0, which no Redis writes", error.Message);
    }

    [Fact]
    public async Task An_rdb_of_version_4_ends_with_the_opcode_alone_and_has_no_checksum()
    {
        byte[] old = [.. "REDIS0004"u8, 0xFE, 0x00, 0x00, 0x01, (byte)'k', 0x01, (byte)'v', 0xFF];

        var check = await VerifyAsync(old);

        Assert.True(check.Verified);
        Assert.Equal(4, check.Version);
        Assert.Null(check.Checksum);
    }

    private static Task<RdbCheckingStream> VerifyAsync(byte[] rdb) => RdbCheckingStream.VerifyAsync(new MemoryStream(rdb), What, Hint, Ct);

    private static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "redis", file));
}
