using Lifeboat.Redis;
using Lifeboat.Redis.ServerRestore;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// A target with a maxmemory and a policy that evicts deletes keys to make room and answers every RESTORE OK: a restore
/// whose keys would not fit is refused before it writes, and one during which the target evicted keys fails naming that.
/// </summary>
public sealed class ServerRestoreEvictionTests
{
    private const int Keys = 20_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_target_that_evicts_and_has_too_little_room_for_the_backup_s_memory_is_refused_and_nothing_is_written()
    {
        var (rdb, usedMemory) = await KeysWithExpiryAsync();
        await using var redis = await RedisTestServers.StartAsync(Ct, null, "maxmemory 4mb", "maxmemory-policy volatile-lru");
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target, rdb, new ServerRestoreOptions { SourceUsedMemory = usedMemory }));

        Assert.StartsWith($"{target.Name} deletes keys when it reaches its maxmemory (maxmemory 4.0 MiB, maxmemory-policy volatile-lru), and the restore would take it there: it uses ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($", and the keys to restore took about {ByteCount.Format(usedMemory)} on the server backed up", e.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal(RemedyAction.IgnoreMemoryEstimate, e.Remedy?.Action);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
    }

    [Fact]
    public async Task Only_the_share_of_the_backup_a_filter_chooses_has_to_fit()
    {
        var (rdb, usedMemory) = await KeysWithExpiryAsync();
        await using var redis = await RedisTestServers.StartAsync(Ct, null, "maxmemory 4mb", "maxmemory-policy volatile-lru");
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);

        var result = await RestoreAsync(target, rdb, new ServerRestoreOptions { SourceUsedMemory = usedMemory, KeyPattern = "key:1?" });

        Assert.Equal(10, result.KeysRestored);
        Assert.Equal(new Dictionary<int, long> { [0] = 10 }, await RedisTestServer.KeyCountsAsync(admin));
    }

    [Theory]
    [InlineData("volatile-lru")]
    [InlineData("allkeys-lru")]
    public async Task Keys_the_target_evicts_while_the_restore_writes_fail_it_naming_the_eviction(string policy)
    {
        var (rdb, usedMemory) = await KeysWithExpiryAsync();
        await using var redis = await RedisTestServers.StartAsync(Ct, null, "maxmemory 4mb", $"maxmemory-policy {policy}");
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target, rdb, new ServerRestoreOptions { SourceUsedMemory = usedMemory, IgnoreMemoryEstimate = true }));

        var held = (long)await admin.GetDatabase(0).ExecuteAsync("DBSIZE");
        Assert.InRange(held, 1, Keys - 1);
        Assert.Matches($@"^{target.Name} evicted \d+ keys while the restore wrote into it \(maxmemory 4\.0 MiB, maxmemory-policy {policy}\): restored keys may be among them, so it does not hold the backup$", e.Message);
        Assert.Equal(RemedyAction.RestoreAgainOverPartialRestore, e.Remedy?.Action);
    }

    [Fact]
    public async Task A_target_that_evicts_and_has_room_takes_the_restore()
    {
        var (rdb, usedMemory) = await KeysWithExpiryAsync();
        await using var redis = await RedisTestServers.StartAsync(Ct, null, "maxmemory 200mb", "maxmemory-policy volatile-lru");
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);

        var result = await RestoreAsync(target, rdb, new ServerRestoreOptions { SourceUsedMemory = usedMemory });

        Assert.Equal(Keys, result.KeysRestored);
        Assert.Equal(new Dictionary<int, long> { [0] = Keys }, await RedisTestServer.KeyCountsAsync(admin));
    }

    /// <summary>An RDB of <see cref="Keys"/> keys of 1,000 bytes, each with an expiry a day ahead (so volatile-* may evict them), and the used_memory of the server that wrote it.</summary>
    private static async Task<(string Rdb, long UsedMemory)> KeysWithExpiryAsync()
    {
        var directory = RedisTestServers.NewDirectory("redis-eviction");
        await using var source = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(source);
        var db = admin.GetDatabase(0);
        var value = new string('v', 1000);
        await Task.WhenAll(Enumerable.Range(0, Keys).Select(i => db.StringSetAsync($"key:{i}", value, TimeSpan.FromDays(1))));
        var usedMemory = RedisInfo.Parse((string)(await db.ExecuteAsync("INFO", "memory"))!).UsedMemory!.Value;
        var rdb = Path.Combine(directory, "dump.rdb");
        File.Copy(await RedisTestServer.SaveAsync(source, admin), rdb);
        return (rdb, usedMemory);
    }

    private static async Task<ServerRestoreResult> RestoreAsync(RestoreTarget target, string rdb, ServerRestoreOptions options)
    {
        try
        {
            return await RdbServerRestore.RunAsync(RedisTestServer.Opener(rdb), "the RDB", target, options, SilentReporter.Instance, Ct);
        }
        finally
        {
            await target.Connection.DisposeAsync();
        }
    }
}
