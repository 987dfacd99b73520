using Lifeboat.Redis.ServerRestore;
using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Redis.HandMadeRdb;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// A cache restored keeps the eviction state its RDB saved: each key's idle time (LRU) or access counter (LFU) goes
/// along with its RESTORE, so the server evicts the keys it would have evicted before, not the ones just written.
/// </summary>
public sealed class ServerRestoreEvictionStateTests
{
    private const int HourIdle = 3600;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_s_idle_time_is_restored_into_a_server_that_evicts_by_LRU()
    {
        await using var redis = await RedisTestServers.StartAsync(Ct, null, "maxmemory-policy allkeys-lru");
        await using var admin = await RedisTestServer.AdminAsync(redis);

        await RestoreAsync(redis, Of(Database(0), Idle(HourIdle), StringKey("cold", "v"), StringKey("fresh", "v")));

        var cold = (long)await admin.GetDatabase(0).ExecuteAsync("OBJECT", "IDLETIME", "cold");
        var fresh = (long)await admin.GetDatabase(0).ExecuteAsync("OBJECT", "IDLETIME", "fresh");
        Assert.InRange(cold, HourIdle, HourIdle + 60);
        Assert.InRange(fresh, 0, 60);
    }

    [Fact]
    public async Task A_key_s_access_counter_is_restored_into_a_server_that_evicts_by_LFU()
    {
        await using var redis = await RedisTestServers.StartAsync(Ct, null, "maxmemory-policy allkeys-lfu");
        await using var admin = await RedisTestServer.AdminAsync(redis);

        await RestoreAsync(redis, Of(Database(0), Frequency(200), StringKey("hot", "v")));

        Assert.Equal(200, (long)await admin.GetDatabase(0).ExecuteAsync("OBJECT", "FREQ", "hot"));
    }

    private static async Task RestoreAsync(PrivateRedis redis, byte[] rdb)
    {
        var target = await RedisTestServer.TargetAsync(redis);
        try
        {
            await RdbServerRestore.RunAsync(RedisTestServer.Opener(rdb), "the RDB", target, new ServerRestoreOptions(), SilentReporter.Instance, Ct);
        }
        finally
        {
            await target.Connection.DisposeAsync();
        }
    }
}
