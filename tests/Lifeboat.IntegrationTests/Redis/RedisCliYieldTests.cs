using System.Diagnostics;
using System.Globalization;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit;
using Lifeboat.TestKit.Servers;
using StackExchange.Redis;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>'backup redis' runs its work under SCHED_IDLE while the RDB streams, so it takes no core from the server's fork.</summary>
public sealed class RedisCliYieldTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task While_the_rdb_streams_every_thread_of_the_backup_but_its_watchdog_runs_under_sched_idle_unless_it_fell_behind_and_said_so()
    {
        await using var redis = await StartStreamingSlowlyAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);

        var backup = Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
        var (watchdogSeen, policies) = await ThreadPoliciesWhileStreamingAsync(redis, config);
        var result = await backup;

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct));
        Assert.True(watchdogSeen, "the backup never started its watchdog, so it never yielded");
        // On a loaded machine the idle backup may fall behind the server before or during the look (the threads are read one
        // by one, so some may show each policy): then it stopped yielding and said so.
        if (!result.Stderr.Contains("stops yielding the CPU", StringComparison.Ordinal))
            Assert.Equal([("lifeboat yield", 0)], policies.Where(t => t.Policy != 5));
    }

    [Fact]
    public async Task Without_the_capability_to_leave_sched_idle_the_backup_never_enters_it_and_still_completes()
    {
        await using var redis = await StartStreamingSlowlyAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);

        var backup = Infrastructure.Cli.RunWithoutSysNiceAsync("--config", config, "backup", "redis");
        var samples = await ThreadPolicySamplesWhileStreamingAsync(redis, config, backup);
        var result = await backup;

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct));
        Assert.NotEmpty(samples);
        Assert.All(samples, threads => Assert.Equal([], threads.Where(t => t.Policy != 0)));
    }

    // Slowed per key, the RDB streams for seconds: long enough to look at the backup's threads meanwhile.
    private static async Task<PrivateRedis> StartStreamingSlowlyAsync()
    {
        var redis = await StartAsync(Ct, null, "repl-diskless-sync yes", "repl-diskless-sync-delay 0", "rdb-key-save-delay 100");
        try
        {
            await using (var client = await ConnectAsync(redis))
                await client.GetDatabase().ExecuteAsync("DEBUG", "POPULATE", "30000", "key", "200");
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    // Looks at the threads of the lifeboat process started with this configuration, every 30 ms while the server streams
    // to it, until the backup ends.
    private static async Task<List<List<(string Name, int Policy)>>> ThreadPolicySamplesWhileStreamingAsync(PrivateRedis redis, string config, Task backup)
    {
        await using var client = await ConnectAsync(redis);
        var samples = new List<List<(string Name, int Policy)>>();
        var waited = Stopwatch.StartNew();
        while (!backup.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            var pid = await IsStreamingAsync(client) ? LifeboatPid(config) : null;
            if (pid is not null && ThreadPolicies.Of(pid) is { Count: > 0 } threads)
                samples.Add(threads);
            await Task.Delay(30, Ct);
        }

        return samples;
    }

    private static async Task<bool> IsStreamingAsync(IConnectionMultiplexer client) =>
        ((string)(await client.GetDatabase().ExecuteAsync("INFO", "persistence"))!).Contains("rdb_bgsave_in_progress:1", StringComparison.Ordinal);

    private static string? LifeboatPid(string config) =>
        Directory.GetDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .FirstOrDefault(name => ThreadPolicies.ReadOrEmpty($"/proc/{name}/cmdline").Contains(config, StringComparison.Ordinal));

    // The threads of the lifeboat process started with this configuration, a moment after its watchdog showed (Linux
    // policy: 0 SCHED_OTHER, 5 SCHED_IDLE; the 41st field of /proc/<pid>/task/<tid>/stat); and whether it showed at all.
    private static async Task<(bool WatchdogSeen, List<(string Name, int Policy)> Threads)> ThreadPoliciesWhileStreamingAsync(PrivateRedis redis, string config)
    {
        await using var client = await ConnectAsync(redis);
        var waited = Stopwatch.StartNew();
        while (!await IsStreamingAsync(client))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the server never started to stream the RDB");
            await Task.Delay(20, Ct);
        }

        // The backup starts yielding once it has the server's reply: look until its watchdog shows, then a moment more.
        string? pid = null;
        var threads = new List<(string Name, int Policy)>();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            pid ??= LifeboatPid(config);
            threads = pid is null ? [] : ThreadPolicies.Of(pid);
            if (threads.Any(t => t.Name == "lifeboat yield"))
            {
                await Task.Delay(100, Ct);
                return (true, ThreadPolicies.Of(pid!));
            }

            await Task.Delay(10, Ct);
        }

        return (false, threads);
    }
}
