using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>Redis 7.4's hashes with field expiry times (RDB 12, types 22 to 25) are refused by name, not taken for damage.</summary>
public sealed class RdbHashFieldExpiryTests
{
    [Theory]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(24)]
    [InlineData(25)]
    public async Task A_hash_with_field_expiry_times_is_refused_naming_the_key_and_the_type(byte type)
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, type, 0x01, (byte)'h', 0x00], version: 12);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb));

        Assert.Equal(
            $"the test RDB cannot be read at byte 11 in the value of key 'h' (database 0): it is a hash with field expiry times (value type {type}, which Redis 7.4 writes for HEXPIRE and the like); Lifeboat does not read that type yet",
            e.Message);
        Assert.Equal("the RDB holds what this reader cannot read: restore it as a file instead, for a Redis that can load it", e.Hint);
    }
}
