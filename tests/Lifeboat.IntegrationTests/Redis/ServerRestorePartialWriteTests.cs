using Lifeboat.Redis.ServerRestore;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// What changes between the two passes is looked at again before the first write, and a write that fails part way
/// says what the target was left holding and what to do about it.
/// </summary>
public sealed class ServerRestorePartialWriteTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_written_into_the_target_while_the_backup_is_verified_stops_the_restore_before_its_first_write()
    {
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);
        var reporter = new HookedReporter(message =>
        {
            if (message.Contains(" verified: ", StringComparison.Ordinal))
                admin.GetDatabase(0).StringSet("meanwhile", "1");
        });

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target, RedisTestServer.Opener(TestFiles.AllTypes72), reporter));

        Assert.Equal($"{target.Name} is not empty: database 0 holds 1 keys", e.Message);
        Assert.Equal(new Dictionary<int, long> { [0] = 1 }, await RedisTestServer.KeyCountsAsync(admin));
        Assert.Empty(await RedisTestServer.LibrariesAsync(admin));
    }

    [Fact]
    public async Task A_function_library_loaded_while_the_backup_is_verified_stops_the_restore_before_its_first_write()
    {
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);
        var reporter = new HookedReporter(message =>
        {
            if (message.Contains(" verified: ", StringComparison.Ordinal))
                admin.GetDatabase().Execute("FUNCTION", "LOAD", $"#!lua name={AllTypesDataset.Library}\nredis.register_function('theirs', function() return 0 end)");
        });

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target, RedisTestServer.Opener(TestFiles.AllTypes72), reporter));

        Assert.Equal($"{target.Name} is not empty: it has the function library '{AllTypesDataset.Library}'", e.Message);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
    }

    [Fact]
    public async Task A_target_that_runs_out_of_memory_part_way_is_reported_with_the_keys_it_holds_and_what_to_do()
    {
        await using var source = await RedisTestServer.StartAsync();
        await using var sourceAdmin = await RedisTestServer.AdminAsync(source);
        await sourceAdmin.GetDatabase().ExecuteAsync("DEBUG", "POPULATE", "20000", "key", "1000");
        var rdb = await RedisTestServer.SaveAsync(source, sourceAdmin);
        await using var redis = await RedisTestServers.StartAsync(Ct, null, "maxmemory 8mb", "maxmemory-policy noeviction");
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target, RedisTestServer.Opener(rdb), SilentReporter.Instance));

        var held = (long)await admin.GetDatabase(0).ExecuteAsync("DBSIZE");
        Assert.InRange(held, 1, 19_999);
        Assert.StartsWith($"{target.Name} refused RESTORE of key 'key:", e.Message, StringComparison.Ordinal);
        Assert.Contains("(database 0): OOM command not allowed when used memory > 'maxmemory'", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"; the restore stopped there, after {target.Name} had confirmed {held} keys written ({held} in database 0)", e.Message, StringComparison.Ordinal);
        Assert.Equal(
            "the target reached its maxmemory: raise it, or restore into a server with more memory; the target holds part of the backup now: empty it (or the databases written) and restore again",
            e.Hint);
        Assert.Equal(RemedyAction.RestoreAgainOverPartialRestore, e.Remedy?.Action);
    }

    private static async Task<ServerRestoreResult> RestoreAsync(RestoreTarget target, Func<CancellationToken, Task<Stream>> rdb, IActivityReporter reporter)
    {
        try
        {
            return await RdbServerRestore.RunAsync(rdb, "the RDB", target, new ServerRestoreOptions(), reporter, Ct);
        }
        finally
        {
            await target.Connection.DisposeAsync();
        }
    }
}
