using System.Buffers.Binary;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>
/// What a newer Redis writes: Redis 7.4's slot info is read past; what the reader does not know is called damage only
/// when the checksum fails or is absent, and otherwise a newer format, named with the RDB version and the Redis that wrote it.
/// </summary>
public sealed class RdbNewerFormatTests
{
    private const string DamagedHint = "the stored RDB is damaged or incomplete: restore from another backup";

    // aux redis-ver "8.2.0"
    private static readonly byte[] WrittenBy = [0xfa, 0x09, .. "redis-ver"u8, 0x05, .. "8.2.0"u8];

    // A type byte no Redis has used, in a place where a key's type belongs.
    private static readonly byte[] UnknownType = [0xfe, 0x00, 0x30, 0x01, (byte)'k', 0x01, (byte)'v'];

    [Fact]
    public async Task Slot_info_of_a_cluster_node_is_read_past_and_the_keys_after_it_keep_their_expiry()
    {
        var expireAt = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(expireAt, 1_900_000_000_000);
        var rdb = RdbBytes.Of(
        [
            .. WrittenBy, 0xfe, 0x00, 0xfb, 0x02, 0x01,
            // slot 12182 (two-byte length), 1 key, 0 with an expiry; then slot 866, 1 key, 1 with an expiry
            0xf4, 0x6f, 0x96, 0x01, 0x00, 0x00, 0x01, (byte)'a', 0x01, (byte)'1',
            0xf4, 0x43, 0x62, 0x01, 0x01, 0xfc, .. expireAt, 0x00, 0x01, (byte)'b', 0x01, (byte)'2',
        ], version: 12);

        var keys = (await RdbTestFiles.ReadAllAsync(rdb)).OfType<RdbKeyValue>().Select(k => (RdbTestFiles.KeyText(k), k.ExpireAtMs));

        Assert.Equal(new (string, long?)[] { ("a", null), ("b", 1_900_000_000_000) }, keys);
    }

    [Fact]
    public async Task What_the_reader_does_not_know_in_an_rdb_whose_checksum_is_right_is_named_a_newer_format_not_damage()
    {
        var rdb = RdbBytes.Of([.. WrittenBy, .. UnknownType], version: 12);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb));

        Assert.Equal(
            "the test RDB cannot be read at byte 28: byte 0x30 is neither an opcode nor a value type this reader knows; "
            + "its checksum is right, so this is no damage but a format newer than this reader knows (RDB version 12, written by Redis 8.2.0)",
            e.Message);
        Assert.Equal("use a Lifeboat release that reads this Redis version, or restore the RDB as a file, for a Redis that can load it", e.Hint);
        Assert.Equal(RemedyAction.RestoreToFile, e.Remedy?.Action);
    }

    [Fact]
    public async Task The_same_bytes_with_a_checksum_that_fails_are_named_damaged()
    {
        var rdb = RdbBytes.Of([.. WrittenBy, .. UnknownType], version: 12);
        rdb[^1] ^= 0x01;

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb));

        Assert.Equal("the test RDB cannot be read at byte 28: byte 0x30 is neither an opcode nor a value type this reader knows; its checksum fails as well", e.Message);
        Assert.Equal(DamagedHint, e.Hint);
        Assert.Null(e.Remedy);
    }

    [Fact]
    public async Task The_same_bytes_without_a_checksum_are_named_damaged_as_nothing_tells_otherwise()
    {
        var rdb = RdbBytes.Of([.. WrittenBy, .. UnknownType], version: 12);
        rdb.AsSpan(rdb.Length - 8).Clear();

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb));

        Assert.Equal("the test RDB cannot be read at byte 28: byte 0x30 is neither an opcode nor a value type this reader knows", e.Message);
        Assert.Equal(DamagedHint, e.Hint);
    }
}
