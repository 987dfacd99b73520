using System.Text.RegularExpressions;
using Lifeboat.IntegrationTests.Infrastructure;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>A snapshot of a Redis 7.4 with hashes whose fields expire, restored into Debian's 7.0, which cannot hold them.</summary>
public sealed class RedisCliFieldExpiryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restoring_it_into_a_server_without_field_expiry_is_refused_in_one_line_naming_the_key_and_what_to_do_and_nothing_is_written()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        string config;
        string id;
        await using (var source = await StartAsync(Ct))
        {
            config = WriteConfig(repo, source);
            var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
            Assert.True(backup.ExitCode == 0, backup.Stderr);
            var like = Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct));
            id = (await StoredSnapshot.StoreAsync(repo.Repository, like, TestFiles.HashFieldExpiry74, Ct)).Id;
        }

        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--backup", id, "--to-server", $"{target.Host}:{target.Port}");

        Assert.True(restore.ExitCode == 2, $"exit {restore.ExitCode}\n{restore.Stdout}{restore.Stderr}");
        var error = Assert.Single(restore.Stderr.Split('\n'), line => line.StartsWith("lifeboat: error:", StringComparison.Ordinal));
        Assert.Matches(
            "^lifeboat: error: key 'hfe:[a-z-]+' \\(database 0\\) of the RDB of backup " + Regex.Escape(id) + " is a hash with field expiry times \\(HEXPIRE and the like\\) in an encoding of RDB 12, "
            + "which the Redis at " + Regex.Escape($"{target.Host}:{target.Port}") + " \\(Redis 7\\.[0-3]\\.\\d+, RDB 1[01]\\) cannot read\\. "
            + "hint: nothing was written; restore into a Redis 7\\.4 or newer, or leave such hashes out where their names or database set them apart; "
            + "--match or --db chooses the keys; --to FILE \\(with --aof for a server with appendonly yes\\) writes the RDB for a newer Redis to load$",
            error);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(targetAdmin));
    }
}
