using System.Globalization;
using Lifeboat.Redis.ServerRestore;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// The RDB 11 file a Redis 7.2.6 wrote (TestData/redis in the unit tests) restored into Debian's 7.0: converted where
/// 7.0 lacks the encoding, each key's DEBUG DIGEST-VALUE and expiry as the 7.2 server gave them.
/// </summary>
public sealed class Redis72FileRestoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_key_of_the_7_2_file_restores_into_7_0_with_the_digest_and_expiry_7_2_gave()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        var result = await RdbServerRestore.RunAsync(
            RedisTestServer.Opener(TestFiles.AllTypes72), "the 7.2 file", restoreTarget, new ServerRestoreOptions(), SilentReporter.Instance, Ct);

        var expected = TestFiles.ExpectedKeys72();
        foreach (var key in expected)
        {
            var db = admin.GetDatabase(key.Db);
            var digest = (string[])(await db.ExecuteAsync("DEBUG", "DIGEST-VALUE", key.Key))!;
            Assert.True(key.Digest == digest[0], $"{key.Key} in db {key.Db}: digest {digest[0]}, the 7.2 server gave {key.Digest}");
            Assert.Equal(key.ExpireAtMs, (long)await db.ExecuteAsync("PEXPIRETIME", key.Key));
        }

        Assert.Equal([AllTypesDataset.Library], await RedisTestServer.LibrariesAsync(admin));
        Assert.Equal(expected.GroupBy(k => k.Db).ToDictionary(g => g.Key, g => (long)g.Count()), await RedisTestServer.KeyCountsAsync(admin));
        Assert.Equal(expected.GroupBy(k => k.Db).Select(g => new DatabaseRestoreCount(g.Key, g.Count(), g.Count(), 0, 0)), result.Databases);
        Assert.Equal([AllTypesDataset.Library], result.FunctionLibraries);
        Assert.Equal(10, result.PayloadRdbVersion);
        await restoreTarget.Connection.DisposeAsync();
    }

    [Fact]
    public async Task Keys_whose_expiry_has_passed_by_the_restore_are_skipped_and_counted()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);
        var after2100 = new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(AllTypesDataset.FarExpiry + 1));

        var result = await RdbServerRestore.RunAsync(
            RedisTestServer.Opener(TestFiles.AllTypes72), "the 7.2 file", restoreTarget, new ServerRestoreOptions { Clock = after2100 }, SilentReporter.Instance, Ct);

        var db0 = result.Databases.Single(d => d.Db == 0);
        Assert.Equal(2, db0.Expired); // str:ttl and hash:big
        Assert.Equal(db0.Keys - 2, db0.Restored);
        Assert.False(await admin.GetDatabase(0).KeyExistsAsync("str:ttl"));
        Assert.Equal(db0.Restored, (long)await admin.GetDatabase(0).ExecuteAsync("DBSIZE"));
        await restoreTarget.Connection.DisposeAsync();
    }

    [Fact]
    public async Task A_key_glob_and_a_database_filter_restore_exactly_the_chosen_keys_and_no_functions()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);
        var options = new ServerRestoreOptions { Databases = new HashSet<int> { 0, 5 }, KeyPattern = "[sd]*:[^b]*", SkipFunctionLibraries = true };

        var result = await RdbServerRestore.RunAsync(RedisTestServer.Opener(TestFiles.AllTypes72), "the 7.2 file", restoreTarget, options, SilentReporter.Instance, Ct);

        var chosen = TestFiles.ExpectedKeys72()
            .Where(k => k.Db is 0 or 5 && k.Key[0] is 's' or 'd' && k.Key[k.Key.IndexOf(':', StringComparison.Ordinal) + 1] != 'b')
            .Select(k => (k.Db, k.Key)).ToList();
        Assert.Contains((0, "str:short"), chosen);
        Assert.DoesNotContain((0, "set:big"), chosen);
        Assert.Contains((5, "db5:list"), chosen);
        Assert.Equal(chosen, (await AllTypesDataset.KeysAsync(admin, 0, 1, 5)).Select(k => (k.Db, k.Key)));
        Assert.Empty(await RedisTestServer.LibrariesAsync(admin));
        Assert.Empty(result.FunctionLibraries);
        Assert.Equal(1, result.FunctionLibrariesSkipped);
        Assert.Equal(2, result.Databases.Single(d => d.Db == 1).FilteredOut);
        await restoreTarget.Connection.DisposeAsync();
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
