using Lifeboat.Redis.ServerRestore;
using static Lifeboat.IntegrationTests.Redis.HandMadeRdb;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// Keys go into their own database or nowhere: a database the target lacks, or a user who may not select it, is refused
/// before anything is written (the client's own SELECTs are fire-and-forget, so their refusal would go unseen), and after
/// the restore a database that was empty holds exactly what was restored into it.
/// </summary>
public sealed class ServerRestoreDatabaseChecksTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_user_without_select_is_refused_before_anything_is_written_when_the_backup_has_keys_beyond_database_0()
    {
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "restorer", "on", ">restorer pass", "~*", "+info", "+exists", "+restore", "+function|list", "+function|restore");
        var target = await ConnectAsync(redis.Host, redis.Port, "restorer", "restorer pass");

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target, TestFiles.AllTypes72, new ServerRestoreOptions()));

        Assert.Equal($"the Redis at {redis.Host}:{redis.Port} refused SELECT 1: NOPERM this user has no permissions to run the 'select' command; the backup has keys in database 1", e.Message);
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
        Assert.Empty(await RedisTestServer.LibrariesAsync(admin));
    }

    [Fact]
    public async Task A_user_without_select_restores_database_0_alone()
    {
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "restorer", "on", ">restorer pass", "~*", "+info", "+exists", "+restore", "+function|list", "+function|restore");
        var target = await ConnectAsync(redis.Host, redis.Port, "restorer", "restorer pass");

        var result = await RestoreAsync(target, TestFiles.AllTypes72, new ServerRestoreOptions { Databases = new HashSet<int> { 0 } });

        var inDb0 = TestFiles.ExpectedKeys72().Count(k => k.Db == 0);
        Assert.Equal(inDb0, result.KeysRestored);
        Assert.Equal(new Dictionary<int, long> { [0] = inDb0 }, await RedisTestServer.KeyCountsAsync(admin));
    }

    [Fact]
    public async Task A_backup_with_keys_in_a_database_the_target_does_not_have_is_refused_before_anything_is_written()
    {
        await using var redis = await RedisTestServers.StartAsync(Ct, null, "databases 4");
        await using var admin = await RedisTestServers.ConnectAsync(redis);
        var target = await ConnectAsync(redis.Host, redis.Port);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target, TestFiles.AllTypes72, new ServerRestoreOptions()));

        Assert.Equal($"the Redis at {redis.Host}:{redis.Port} has 4 databases (0 to 3), and the backup has keys in database 5", e.Message);
        Assert.Equal("nothing was written; raise databases in the target's redis.conf", e.Hint);
        Assert.Equal(RemedyAction.LeaveOutDatabases, e.Remedy?.Action);
        Assert.Equal("", await RedisTestServers.KeyspaceAsync(admin));
    }

    [Fact]
    public async Task A_database_that_was_empty_and_holds_other_keys_after_the_restore_is_an_error_naming_it()
    {
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);
        // Another client writes into database 3 while the writing pass runs, as a key gone astray would land there.
        var reporter = new HookedReporter(_ => { }, transfer =>
        {
            if (transfer.StartsWith("restoring into", StringComparison.Ordinal))
                admin.GetDatabase(3).StringSet("astray", "1");
        });

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target, TestFiles.AllTypes72, new ServerRestoreOptions(), reporter));

        Assert.Equal($"database 3 of {target.Name} was empty before the restore and holds 1 keys after it, more than the 0 restored into it", e.Message);
    }

    [Fact]
    public async Task A_database_written_beside_the_restore_counts_against_it_only_when_it_was_empty_before()
    {
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        await admin.GetDatabase(3).StringSetAsync("before", "1");
        var target = await RedisTestServer.TargetAsync(redis);
        var reporter = new HookedReporter(_ => { }, transfer =>
        {
            if (transfer.StartsWith("restoring into", StringComparison.Ordinal))
                admin.GetDatabase(3).StringSet("during", "1");
        });

        var result = await RestoreAsync(target, Of(Database(0), StringKey("k", "v")), new ServerRestoreOptions(), reporter);

        Assert.Equal(1, result.KeysRestored);
        Assert.Equal(new Dictionary<int, long> { [0] = 1, [3] = 2 }, await RedisTestServer.KeyCountsAsync(admin));
    }

    private static async Task<RestoreTarget> ConnectAsync(string host, int port, string? user = null, string? password = null) =>
        await RestoreTargetConnection.ConnectAsync(new RestoreTargetAddress(host, port) { User = user, Password = password }, Ct);

    private static async Task<ServerRestoreResult> RestoreAsync(RestoreTarget target, byte[] rdb, ServerRestoreOptions options, IActivityReporter? reporter = null)
    {
        try
        {
            return await RdbServerRestore.RunAsync(RedisTestServer.Opener(rdb), "the RDB", target, options, reporter ?? SilentReporter.Instance, Ct);
        }
        finally
        {
            await target.Connection.DisposeAsync();
        }
    }
}
