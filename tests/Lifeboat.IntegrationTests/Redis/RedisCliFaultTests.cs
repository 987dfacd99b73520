using System.Diagnostics;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Servers;
using StackExchange.Redis;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>What goes wrong with a Redis snapshot, through the executable: each one line, a meaningful exit code, and no manifest.</summary>
public sealed class RedisCliFaultTests
{
    private const string PasswordVariable = "LIFEBOAT_TEST_REDIS_PASSWORD";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_backup_authenticates_with_the_default_users_password()
    {
        await using var redis = await StartAsync(Ct, "default pass");
        await using var client = await ConnectAsync(redis);
        await client.GetDatabase().StringSetAsync("k", "v");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis, passwordEnv: PasswordVariable);

        var backup = await Infrastructure.Cli.RunAsync(Password("default pass"), "--config", config, "backup", "redis");

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task A_backup_user_with_only_replconf_sync_and_info_takes_a_snapshot()
    {
        await using var redis = await StartAsync(Ct, "admin");
        await using var client = await ConnectAsync(redis);
        await client.GetDatabase().StringSetAsync("k", "v");
        await client.GetDatabase().ExecuteAsync("ACL", "SETUSER", "backup", "on", ">backup pass", "+replconf", "+sync", "+info");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis, user: "backup", passwordEnv: PasswordVariable);

        var backup = await Infrastructure.Cli.RunAsync(Password("backup pass"), "--config", config, "backup", "redis");
        var doctor = await Infrastructure.Cli.RunAsync(Password("backup pass"), "--config", config, "doctor");

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct));
        Assert.True(doctor.ExitCode == 0, doctor.Stdout + doctor.Stderr);
        Assert.Contains("redis/cache connection", doctor.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+replconf +info", "refused SYNC: NOPERM this user has no permissions to run the 'sync' command")]
    [InlineData("+sync +info", "refused REPLCONF capa eof: NOPERM this user has no permissions to run the 'replconf' command")]
    [InlineData("+replconf +sync", "refused INFO: NOPERM this user has no permissions to run the 'info' command")]
    public async Task A_backup_user_lacking_a_permission_fails_naming_it_and_records_nothing(string permissions, string refusal)
    {
        await using var redis = await StartAsync(Ct, "admin");
        await using var client = await ConnectAsync(redis);
        await client.GetDatabase().ExecuteAsync("ACL", ["SETUSER", "backup", "on", ">backup pass", .. permissions.Split(' ')]);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis, user: "backup", passwordEnv: PasswordVariable);

        var backup = await Infrastructure.Cli.RunAsync(Password("backup pass"), "--config", config, "backup", "redis");

        Assert.Equal(2, backup.ExitCode);
        Assert.StartsWith($"lifeboat: error: redis 'cache' ({redis.Host}:{redis.Port}) {refusal}", backup.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: grant the backup user the ACL permissions a backup needs: +replconf +sync +info", backup.Stderr, StringComparison.Ordinal);
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task A_wrong_password_fails_in_one_line_that_does_not_show_the_password()
    {
        await using var redis = await StartAsync(Ct, "right pass");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis, passwordEnv: PasswordVariable);

        var backup = await Infrastructure.Cli.RunAsync(Password("wrong pass"), "--config", config, "backup", "redis");

        Assert.Equal(2, backup.ExitCode);
        Assert.StartsWith($"lifeboat: error: redis 'cache' ({redis.Host}:{redis.Port}) refused AUTH: WRONGPASS invalid username-password pair or user is disabled.", backup.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: check the user and password", backup.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong pass", backup.Stderr, StringComparison.Ordinal);
        Assert.Single(backup.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task An_unreachable_server_fails_saying_it_cannot_connect()
    {
        await using var redis = await StartAsync(Ct);
        await using var repo = await TestRepository.CreateLocalAsync();
        var port = FreeTcpPort.Pick();
        var config = WriteConfig(repo, redis, port: port);

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");

        Assert.Equal(1, backup.ExitCode);
        Assert.StartsWith($"lifeboat: error: cannot connect to redis 'cache' ({redis.Host}:{port})", backup.Stderr, StringComparison.Ordinal);
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task A_server_killed_while_it_streams_the_rdb_leaves_no_manifest_and_says_the_connection_dropped()
    {
        // Diskless and slowed per key: the RDB streams from the fork for seconds, long enough to be cut in the middle.
        await using var redis = await StartAsync(Ct, null, "repl-diskless-sync yes", "repl-diskless-sync-delay 0", "rdb-key-save-delay 200");
        await using (var client = await ConnectAsync(redis))
            await client.GetDatabase().ExecuteAsync("DEBUG", "POPULATE", "30000", "key", "200");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);

        var backup = Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
        await WaitUntilStreamingAsync(redis);
        await Task.Delay(1500, Ct);
        var pid = redis.ProcessId;
        await ExternalCommand.RunAsync("/bin/kill", ["-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], Ct);
        var result = await backup;

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"(?m)^lifeboat: error: the connection to redis 'cache' \(127\.0\.0\.1:\d+\) dropped after \d+ bytes of the RDB, before its end mark", result.Stderr);
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task A_replica_connection_the_server_kills_mid_transfer_leaves_no_manifest()
    {
        await using var redis = await StartAsync(Ct, null, "repl-diskless-sync yes", "repl-diskless-sync-delay 0", "rdb-key-save-delay 200");
        await using var client = await ConnectAsync(redis);
        await client.GetDatabase().ExecuteAsync("DEBUG", "POPULATE", "30000", "key", "200");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);

        var backup = Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
        await WaitUntilStreamingAsync(redis);
        await Task.Delay(1000, Ct);
        await client.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "replica");
        var result = await backup;

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("dropped after", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("CLIENT KILL", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task A_bit_flipped_stored_rdb_is_refused_on_restore_and_the_file_is_not_written()
    {
        await using var redis = await StartAsync(Ct);
        await using (var client = await ConnectAsync(redis))
            await FillAsync(client);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis")).ExitCode);
        var stored = (await repo.Repository.ListBackupsAsync(null, Ct)).Single().Objects.Single();
        var path = Path.Combine(repo.RepositoryPath, stored.Key);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[bytes.Length / 2] ^= 0x04;
        await File.WriteAllBytesAsync(path, bytes, Ct);
        var directory = NewDirectory("redis-flipped");
        var file = Path.Combine(directory, "dump.rdb");

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to", file);

        Assert.Equal(1, restore.ExitCode);
        Assert.StartsWith("lifeboat: error: ", restore.Stderr, StringComparison.Ordinal);
        Assert.Contains(stored.Key, restore.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(directory));
    }

    private static Dictionary<string, string?> Password(string password) => new() { [PasswordVariable] = password };

    // The fork runs once the replica's SYNC is in: from then on the RDB streams.
    private static async Task WaitUntilStreamingAsync(PrivateRedis redis)
    {
        await using var client = await ConnectAsync(redis);
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            var info = (string)(await client.GetDatabase().ExecuteAsync("INFO", "persistence"))!;
            if (info.Contains("rdb_bgsave_in_progress:1", StringComparison.Ordinal))
                return;
            await Task.Delay(50, Ct);
        }

        throw new TimeoutException("the server never started to stream the RDB");
    }
}
