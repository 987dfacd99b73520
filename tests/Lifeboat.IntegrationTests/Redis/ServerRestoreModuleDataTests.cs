using Lifeboat.Redis.ServerRestore;
using static Lifeboat.IntegrationTests.Redis.HandMadeRdb;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// A module's data (its aux fields, such as RediSearch's index definitions, or keys of its types) does not come back
/// through RESTORE: the verification pass refuses the restore, naming the module, before anything is written.
/// </summary>
public sealed class ServerRestoreModuleDataTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Module_aux_data_stops_the_restore_before_anything_is_written()
    {
        var rdb = Of(ModuleAux("ft_index0"), Database(0), StringKey("plain", "v"));

        var (e, keys) = await RestoreAsync(rdb);

        Assert.Equal("the RDB holds data of the module 'ft_index0' (saved beside the keys), which a restore into a running server does not bring back", e.Message);
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal(RemedyAction.RestoreToFile, e.Remedy?.Action);
        Assert.Empty(keys);
    }

    [Fact]
    public async Task A_key_of_a_module_s_type_stops_the_restore_before_anything_is_written()
    {
        var rdb = Of(Database(0), StringKey("plain", "v"), ModuleKey("doc", "ReJSON-RL"));

        var (e, keys) = await RestoreAsync(rdb);

        Assert.Equal("the RDB holds data of the module 'ReJSON-RL' (key 'doc' in database 0 is of its type), which a restore into a running server does not bring back", e.Message);
        Assert.Equal(RemedyAction.RestoreToFile, e.Remedy?.Action);
        Assert.Empty(keys);
    }

    private static async Task<(LifeboatException Error, Dictionary<int, long> KeysAfter)> RestoreAsync(byte[] rdb)
    {
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);
        try
        {
            var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbServerRestore.RunAsync(RedisTestServer.Opener(rdb), "the RDB", target, new ServerRestoreOptions(), SilentReporter.Instance, Ct));
            return (e, await RedisTestServer.KeyCountsAsync(admin));
        }
        finally
        {
            await target.Connection.DisposeAsync();
        }
    }
}
