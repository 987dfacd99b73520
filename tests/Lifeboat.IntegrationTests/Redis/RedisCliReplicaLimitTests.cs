using System.Diagnostics;
using System.Globalization;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Servers;
using StackExchange.Redis;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// The server's limits on a replica, against a snapshot. Since Redis 7.0 an rdb-only replica is fed no commands and the
/// RDB bypasses the output buffer (diskless: from the fork's pipe; on disk: from the file), so
/// client-output-buffer-limit replica never drops a snapshot; what does is repl-timeout, when the replica reads nothing
/// for that long during a diskless transfer.
/// </summary>
public sealed class RedisCliReplicaLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public async Task A_tiny_replica_output_buffer_limit_does_not_drop_a_snapshot_taken_while_clients_write(string disklessSync)
    {
        await using var redis = await StartAsync(Ct, null, $"repl-diskless-sync {disklessSync}", "repl-diskless-sync-delay 0", "rdb-key-save-delay 300", "client-output-buffer-limit replica 64kb 32kb 1");
        await using var client = await ConnectAsync(redis);
        await client.GetDatabase().ExecuteAsync("DEBUG", "POPULATE", "20000", "key", "100");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);

        var backup = Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
        await WaitUntilStreamingAsync(client);
        // 4 MB of writes while the RDB streams: a replica fed the command stream would overflow 64 kB many times over.
        var value = new string('w', 1024);
        await Task.WhenAll(Enumerable.Range(0, 4000).Select(i => client.GetDatabase().StringSetAsync($"written-during:{i}", value)));
        var stillStreaming = await IsStreamingAsync(client);
        var result = await backup;

        Assert.True(stillStreaming, "the writes ended after the transfer: they prove nothing");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct));
        Assert.DoesNotContain("output buffer limits", await File.ReadAllTextAsync(redis.LogFile, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_that_reads_nothing_for_longer_than_repl_timeout_is_dropped_by_the_server_and_leaves_no_manifest()
    {
        // 80 MB that does not compress, streamed from a fork slowed per key: far more than the socket buffers hold.
        await using var redis = await StartAsync(Ct, null, "repl-diskless-sync yes", "repl-diskless-sync-delay 0", "rdbcompression no", "rdb-key-save-delay 100", "repl-timeout 2");
        await using var client = await ConnectAsync(redis);
        await client.GetDatabase().ExecuteAsync("DEBUG", "POPULATE", "80000", "key", "1000");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);

        var backup = Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
        await WaitUntilStreamingAsync(client);
        var pid = ProcessRunning(config);
        // Stopped, Lifeboat reads nothing, as when a stalled repository has filled its read-ahead.
        await SignalAsync(pid, "STOP");
        try
        {
            await WaitForLogAsync(redis, "Disconnecting timedout replica (full sync)");
        }
        finally
        {
            await SignalAsync(pid, "CONT");
        }

        var result = await backup;

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Stderr.Split('\n'), l => l.StartsWith("lifeboat: error: ", StringComparison.Ordinal));
        Assert.Matches(@"^lifeboat: error: the connection to redis 'cache' \(127\.0\.0\.1:\d+\) dropped after \d+ bytes of the RDB, before its end mark", error);
        Assert.Contains("repl-timeout", error, StringComparison.Ordinal);
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    private static async Task WaitUntilStreamingAsync(ConnectionMultiplexer client)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (await IsStreamingAsync(client))
                return;
            await Task.Delay(50, Ct);
        }

        throw new TimeoutException("the server never started to stream the RDB");
    }

    private static async Task<bool> IsStreamingAsync(ConnectionMultiplexer client) =>
        ((string)(await client.GetDatabase().ExecuteAsync("INFO", "persistence"))!).Contains("rdb_bgsave_in_progress:1", StringComparison.Ordinal);

    private static async Task WaitForLogAsync(PrivateRedis redis, string line)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            if ((await File.ReadAllTextAsync(redis.LogFile, Ct)).Contains(line, StringComparison.Ordinal))
                return;
            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"the server's log never said '{line}'");
    }

    // The lifeboat this test started: the one whose command line names its configuration, unique to the test.
    private static int ProcessRunning(string config)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            try
            {
                var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                if (arguments.Contains(config) && arguments.Contains("backup"))
                    return pid;
            }
            catch (IOException)
            {
                // Ended while listed.
            }
        }

        throw new InvalidOperationException($"no lifeboat process runs with {config}");
    }

    private static Task SignalAsync(int pid, string signal) =>
        ExternalCommand.RunAsync("/bin/kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)], Ct);
}
