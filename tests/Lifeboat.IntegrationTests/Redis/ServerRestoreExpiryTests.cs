using Lifeboat.Redis.ServerRestore;
using static Lifeboat.IntegrationTests.Redis.HandMadeRdb;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// A key whose absolute expiry has passed by the server's clock when its RESTORE runs is answered OK and not created:
/// the restore counts it as expired, not restored, though its own clock still thought it alive when it sent it.
/// </summary>
public sealed class ServerRestoreExpiryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_the_server_finds_expired_on_restore_is_counted_expired_not_restored()
    {
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);
        var now = DateTimeOffset.UtcNow;
        var rdb = Of(Database(0), [0xfb, 0x02, 0x01], StringKey("gone", "x", now.AddSeconds(-5).ToUnixTimeMilliseconds()), StringKey("kept", "y"));
        // The restore's clock runs half a minute behind the server's.
        var options = new ServerRestoreOptions { Clock = new FixedClock(now.AddSeconds(-30)) };

        ServerRestoreResult result;
        try
        {
            result = await RdbServerRestore.RunAsync(RedisTestServer.Opener(rdb), "the RDB", target, options, SilentReporter.Instance, Ct);
        }
        finally
        {
            await target.Connection.DisposeAsync();
        }

        var db0 = Assert.Single(result.Databases);
        Assert.Equal((2L, 1L, 1L), (db0.Keys, db0.Restored, db0.Expired));
        Assert.Equal(1, result.KeysRestored);
        Assert.Equal(new Dictionary<int, long> { [0] = 1 }, await RedisTestServer.KeyCountsAsync(admin));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
