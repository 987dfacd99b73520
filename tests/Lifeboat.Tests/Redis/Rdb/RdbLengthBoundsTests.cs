using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>Lengths an RDB cannot hold (64-bit ones past 2^63, counts that overflow once multiplied) are refused at their offset, never a wrong skip.</summary>
public sealed class RdbLengthBoundsTests
{
    private static readonly byte[] LongestLength = [0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_value_length_past_2_to_the_63_is_refused_at_its_offset(bool keepValues)
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, RdbType.String, 0x01, (byte)'k', .. LongestLength]);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb, keepValues));

        Assert.StartsWith("the test RDB cannot be read at byte 23 in the value of key 'k' (database 0): a length of 18446744073709551615 bytes is out of range; its checksum is right", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_length_past_2_to_the_63_is_refused_at_its_offset()
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, RdbType.String, .. LongestLength]);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb));

        Assert.StartsWith("the test RDB cannot be read at byte 21: a length of 18446744073709551615 bytes is out of range; its checksum is right", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_consumer_whose_pending_count_overflows_once_multiplied_is_refused()
    {
        // A stream (type 15) with no listpacks, length 0, last id 0-0, one group "g" at 0-0 with no pending entries,
        // and one consumer "c" seen at 0 that claims 2^60 pending entries: 2^60 × 16 bytes wraps to 0.
        byte[] consumerClaim = [0x81, 0x10, 0, 0, 0, 0, 0, 0, 0];
        var rdb = RdbBytes.Of(
        [
            0xfe, 0x00, RdbType.StreamListpacks, 0x01, (byte)'s',
            0x00, 0x00, 0x00, 0x00,
            0x01, 0x01, (byte)'g', 0x00, 0x00, 0x00,
            0x01, 0x01, (byte)'c', 0, 0, 0, 0, 0, 0, 0, 0, .. consumerClaim,
        ], version: 9);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb));

        Assert.StartsWith("the test RDB cannot be read at byte 35 in the value of key 's' (database 0): a consumer claims 1152921504606846976 pending entries, more than an RDB can hold; its checksum is right", e.Message, StringComparison.Ordinal);
    }
}
