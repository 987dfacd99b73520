using Lifeboat.Redis.ServerRestore;
using static Lifeboat.IntegrationTests.Redis.HandMadeRdb;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>A value is restored in one RESTORE argument: one longer than the target takes (proto-max-bulk-len) is refused before anything is written.</summary>
public sealed class ServerRestoreLargeValueTests
{
    private const int BigValue = 2 << 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Rdb => Of(Database(0), StringKey("small", "v"), LargeStringKey("big", BigValue));

    [Fact]
    public async Task A_value_longer_than_the_target_takes_in_one_argument_is_refused_before_anything_is_written()
    {
        await using var redis = await RedisTestServers.StartAsync(Ct, null, "proto-max-bulk-len 1mb");
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target));

        Assert.Equal(
            $"the RESTORE of key 'big' (database 0) of the RDB would carry {1 + 5 + BigValue + 10} bytes, more than the 1048576 {target.Name} takes in one argument (proto-max-bulk-len)",
            e.Message);
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
    }

    [Fact]
    public async Task The_same_value_is_restored_whole_into_a_target_with_the_default_limit()
    {
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);

        var result = await RestoreAsync(target);

        Assert.Equal(2, result.KeysRestored);
        Assert.Equal(BigValue, (long)await admin.GetDatabase(0).ExecuteAsync("STRLEN", "big"));
    }

    private static async Task<ServerRestoreResult> RestoreAsync(RestoreTarget target)
    {
        try
        {
            return await RdbServerRestore.RunAsync(RedisTestServer.Opener(Rdb), "the RDB", target, new ServerRestoreOptions(), SilentReporter.Instance, Ct);
        }
        finally
        {
            await target.Connection.DisposeAsync();
        }
    }
}
