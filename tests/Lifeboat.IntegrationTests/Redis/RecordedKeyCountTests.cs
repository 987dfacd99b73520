using Lifeboat.Redis;
using Lifeboat.Redis.ServerRestore;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>A restore into a server checks the RDB's keys per database against those counted when it was stored, before it writes.</summary>
public sealed class RecordedKeyCountTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_rdb_holding_other_counts_than_recorded_is_refused_naming_the_database_and_nothing_is_written()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);
        var recorded = Recorded72();
        recorded[1] = recorded[1] with { Keys = recorded[1].Keys + 1 };

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbServerRestore.RunAsync(
            RedisTestServer.Opener(TestFiles.AllTypes72), "the RDB", restoreTarget, new ServerRestoreOptions { RecordedKeyspace = recorded }, SilentReporter.Instance, Ct));

        var db = recorded[1].Database;
        Assert.Equal(
            $"the RDB holds {recorded[1].Keys - 1} keys ({recorded[1].Expires} with an expiry) in database {db}, but {recorded[1].Keys} ({recorded[1].Expires} with an expiry) were counted when it was stored",
            e.Message);
        Assert.Equal(new Remedy(RemedyAction.CheckRepositoryData), e.Remedy);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
        Assert.Empty(await RedisTestServer.LibrariesAsync(admin));
        await restoreTarget.Connection.DisposeAsync();
    }

    [Fact]
    public async Task A_database_recorded_but_missing_from_the_rdb_is_refused()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);
        List<RedisKeyspace> recorded = [.. Recorded72(), new RedisKeyspace(9, 2, 0)];

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbServerRestore.RunAsync(
            RedisTestServer.Opener(TestFiles.AllTypes72), "the RDB", restoreTarget, new ServerRestoreOptions { RecordedKeyspace = recorded }, SilentReporter.Instance, Ct));

        Assert.StartsWith("the RDB holds 0 keys (0 with an expiry) in database 9, but 2 (0 with an expiry)", e.Message, StringComparison.Ordinal);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
        await restoreTarget.Connection.DisposeAsync();
    }

    [Fact]
    public async Task An_rdb_holding_the_recorded_counts_restores_with_each_database_s_keys_accounted_for()
    {
        await using var target = await RedisTestServer.StartAsync();
        var restoreTarget = await RedisTestServer.TargetAsync(target);
        var recorded = Recorded72();

        var result = await RdbServerRestore.RunAsync(
            RedisTestServer.Opener(TestFiles.AllTypes72), "the RDB", restoreTarget, new ServerRestoreOptions { RecordedKeyspace = recorded, KeyPattern = "str:*" }, SilentReporter.Instance, Ct);

        Assert.Equal(recorded.Select(d => (d.Database, d.Keys)), result.Databases.Select(d => (d.Db, d.Restored + d.Expired + d.FilteredOut)));
        await restoreTarget.Connection.DisposeAsync();
    }

    // What the backup would have recorded for the committed 7.2 file: its keys and expiring keys per database.
    private static List<RedisKeyspace> Recorded72() =>
        [.. TestFiles.ExpectedKeys72().GroupBy(k => k.Db).OrderBy(g => g.Key).Select(g => new RedisKeyspace(g.Key, g.Count(), g.Count(k => k.ExpireAtMs >= 0)))];
}
