using Lifeboat.Redis.ServerRestore;

namespace Lifeboat.Tests.Redis;

/// <summary>Which Redis writes which RDB version, and the oldest that loads one: the note a restore to a file prints.</summary>
public sealed class RedisRdbVersionTests
{
    [Theory]
    [InlineData(12, "7.4")]
    [InlineData(11, "7.2")]
    [InlineData(10, "7.0")]
    [InlineData(9, "5.0")]
    [InlineData(8, "4.0")]
    [InlineData(7, "3.2")]
    [InlineData(6, "2.6")]
    public void The_oldest_redis_that_loads_an_rdb_version_is_the_first_that_writes_it(int rdbVersion, string redis)
    {
        Assert.Equal(redis, RedisRdbVersion.OldestRedisThatLoads(rdbVersion));
        Assert.Equal(rdbVersion, RedisRdbVersion.Of(redis + ".0"));
    }

    [Fact]
    public void A_version_newer_than_the_table_has_no_answer() => Assert.Null(RedisRdbVersion.OldestRedisThatLoads(13));
}
