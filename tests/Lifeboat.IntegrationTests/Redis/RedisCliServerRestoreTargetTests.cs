using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>'restore redis --to-server' through the executable into a server that cannot take a restore as it is: each refused in one line before anything is written.</summary>
public sealed class RedisCliServerRestoreTargetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_target_that_evicts_and_has_too_little_room_for_what_the_backup_used_is_refused_and_the_flag_that_overrides_it_still_catches_the_eviction()
    {
        await using var source = await StartAsync(Ct);
        await using var sourceAdmin = await ConnectAsync(source);
        var db = sourceAdmin.GetDatabase(0);
        await Task.WhenAll(Enumerable.Range(0, 20_000).Select(i => db.StringSetAsync($"key:{i}", new string('v', 1000), TimeSpan.FromDays(1))));
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source);
        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        await using var target = await StartAsync(Ct, null, "maxmemory 4mb", "maxmemory-policy volatile-lru");
        await using var targetAdmin = await ConnectAsync(target);

        var refused = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", Endpoint(target));
        var keysAfterRefusal = await RedisTestServer.KeyCountsAsync(targetAdmin);
        var evicted = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", Endpoint(target), "--ignore-memory-estimate");

        Assert.Equal(2, refused.ExitCode);
        var refusal = ErrorLine(refused);
        Assert.StartsWith(
            $"lifeboat: error: the Redis at {Endpoint(target)} deletes keys when it reaches its maxmemory (maxmemory 4.0 MiB, maxmemory-policy volatile-lru), and the restore would take it there: it uses ",
            refusal,
            StringComparison.Ordinal);
        Assert.EndsWith(
            " on the server backed up. hint: nothing was written; raise maxmemory on the target (CONFIG SET maxmemory), or set its maxmemory-policy to noeviction, so that no restored key is deleted unseen; "
            + "or add --ignore-memory-estimate if the keys are known to fit (the restore still fails if the target evicts any key)",
            refusal,
            StringComparison.Ordinal);
        Assert.Empty(keysAfterRefusal);
        Assert.Equal(1, evicted.ExitCode);
        Assert.Matches($@"^lifeboat: error: the Redis at {Endpoint(target)} evicted \d+ keys while the restore wrote into it .*: restored keys may be among them, so it does not hold the backup\. hint: ", ErrorLine(evicted));
        Assert.DoesNotContain("restored backup", evicted.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The one error line of a run (its log lines come before it).</summary>
    private static string ErrorLine(Infrastructure.Cli.Result run) =>
        Assert.Single(run.Stderr.Split('\n'), l => l.StartsWith("lifeboat: error: ", StringComparison.Ordinal));

    private static string Endpoint(PrivateRedis redis) => $"{redis.Host}:{redis.Port}";
}
