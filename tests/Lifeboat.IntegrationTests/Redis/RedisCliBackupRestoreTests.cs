using System.Text.Json;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Redis;
using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>'backup redis' and 'restore redis' through the executable against real redis-servers: both payload forms, the restored file and append-only directory loaded by fresh servers with equal digests.</summary>
public sealed class RedisCliBackupRestoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("no", "disk")]
    [InlineData("yes", "diskless")]
    public async Task A_backup_reads_either_payload_form_and_records_the_server_the_rdb_and_the_keyspace(string disklessSync, string transfer)
    {
        await using var redis = await StartAsync(Ct, null, $"repl-diskless-sync {disklessSync}", "repl-diskless-sync-delay 0");
        await using var client = await ConnectAsync(redis);
        await FillAsync(client);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis", "--json");

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        var manifest = Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct));
        var info = RedisSnapshotInfo.Of(manifest);
        Assert.Equal(transfer, info.Transfer);
        Assert.Equal(10, info.RdbVersion);
        Assert.StartsWith("7.", info.RedisVersion, StringComparison.Ordinal);
        Assert.Equal(16, info.Crc64!.Length);
        Assert.Equal(manifest.SizeBytes, info.RdbBytes);
        Assert.Equal("master", info.Role);
        Assert.False(info.AofEnabled);
        Assert.True(info.UsedMemory > 0);
        Assert.Equal([0, 2, 5], info.Keyspace.Select(d => d.Database));
        Assert.Equal(11, info.Keyspace[0].Keys);
        Assert.Equal(2, info.Keyspace[0].Expires);
        using var json = JsonDocument.Parse(backup.Stdout);
        Assert.Equal(13, json.RootElement.GetProperty("keys").GetInt64());
        Assert.Equal(info.RdbBytes, json.RootElement.GetProperty("rdbBytes").GetInt64());
    }

    [Fact]
    public async Task A_backup_of_a_server_with_appendonly_yes_records_the_append_only_file_on_and_show_prints_it()
    {
        await using var redis = await StartAsync(Ct, null, "appendonly yes");
        await using var client = await ConnectAsync(redis);
        await client.GetDatabase().StringSetAsync("k", "v");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
        var manifest = Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct));
        var show = await Infrastructure.Cli.RunAsync("--config", config, "show", manifest.Id);

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.True(RedisSnapshotInfo.Of(manifest).AofEnabled);
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Matches(@"\n  append-only file +on\n", show.Stdout);
    }

    [Fact]
    public async Task Cat_gives_back_the_plain_rdb_that_redis_check_rdb_accepts()
    {
        await using var redis = await StartAsync(Ct);
        await using var client = await ConnectAsync(redis);
        await FillAsync(client);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis")).ExitCode);
        var id = (await repo.Repository.ListBackupsAsync(null, Ct)).Single().Id;
        var file = Path.Combine(NewDirectory("redis-cat"), "cat.rdb");

        var cat = await ExternalCommand.TryRunAsync("/bin/sh", ["-c", $"'{Infrastructure.Cli.Executable}' --config '{config}' cat {id} > '{file}'"], Ct);
        var check = await ExternalCommand.TryRunAsync("redis-check-rdb", [file], Ct);

        Assert.True(cat.ExitCode == 0, cat.Errors);
        Assert.StartsWith("REDIS0010", File.ReadAllText(file)[..9], StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.Output + check.Errors);
        Assert.Contains("RDB looks OK", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_list_and_check_read_data_describe_and_verify_a_snapshot()
    {
        await using var redis = await StartAsync(Ct);
        await using var client = await ConnectAsync(redis);
        await FillAsync(client);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis")).ExitCode);
        var id = (await repo.Repository.ListBackupsAsync(null, Ct)).Single().Id;

        var show = await Infrastructure.Cli.RunAsync("--config", config, "show", id);
        var list = await Infrastructure.Cli.RunAsync("--config", config, "list", "--source", "redis");
        var check = await Infrastructure.Cli.RunAsync("--config", config, "check", "--read-data");

        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Matches(@"\n  rdb version +10\n", show.Stdout);
        Assert.Matches(@"\n  crc64 +[0-9a-f]{16}\n", show.Stdout);
        Assert.Matches(@"\n +0 +11 +2\n", show.Stdout);
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains("13 keys", list.Stdout, StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Contains("redis/cache: 1 RDB(s) read back: header, end marker and CRC64 check out", check.Stdout + check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snapshot_restored_to_a_file_starts_a_second_server_with_the_same_digest()
    {
        await using var source = await StartAsync(Ct);
        await using var sourceClient = await ConnectAsync(source);
        await FillAsync(sourceClient);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis")).ExitCode);
        var directory = NewDirectory("redis-restored");
        var file = Path.Combine(directory, "dump.rdb");

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--backup", "latest", "--to", file);
        await using var restored = await StartAsync(Ct, null, $"dir {directory}", "dbfilename dump.rdb");
        await using var restoredClient = await ConnectAsync(restored);

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Contains($"to {file}", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nIt is RDB version 10: only Redis 7.0 or newer loads it (an older server refuses it and does not start).\n", restore.Stdout, StringComparison.Ordinal);
        Assert.Equal(await DigestAsync(sourceClient), await DigestAsync(restoredClient));
        Assert.Equal("db0:keys=11 db2:keys=1 db5:keys=1", await KeyspaceAsync(restoredClient));
        Assert.DoesNotContain(Directory.GetFiles(directory), f => Path.GetFileName(f).StartsWith(".dump.rdb", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_snapshot_restored_as_an_append_only_directory_loads_in_a_server_with_appendonly_yes()
    {
        await using var source = await StartAsync(Ct);
        await using var sourceClient = await ConnectAsync(source);
        await FillAsync(sourceClient);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis")).ExitCode);
        var directory = NewDirectory("redis-aof");

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to", Path.Combine(directory, "appendonlydir"), "--aof");
        await using var restored = await StartAsync(Ct, null, $"dir {directory}", "appendonly yes");
        await using var restoredClient = await ConnectAsync(restored);

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\n", File.ReadAllText(Path.Combine(directory, "appendonlydir", "appendonly.aof.manifest")).Split("\n")[0] + "\n");
        Assert.Equal(await DigestAsync(sourceClient), await DigestAsync(restoredClient));
    }

    [Fact]
    public async Task A_restore_as_an_append_only_directory_prints_the_kubernetes_steps_in_order_scale_down_copy_onto_the_claim_scale_up()
    {
        await using var source = await StartAsync(Ct);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis")).ExitCode);
        var aofDirectory = Path.Combine(NewDirectory("redis-aof-steps"), "appendonlydir");

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to", aofDirectory, "--aof");

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        string[] steps =
        [
            "  1. Scale Redis to zero so nothing writes its volume: kubectl -n devplatform scale deploy/redis --replicas=0\n",
            "  2. The data volume must be a PersistentVolumeClaim",
            $"kubectl cp {aofDirectory} devplatform/HELPER:/data/appendonlydir\n",
            "  4. Scale Redis back to one and check the keys: kubectl -n devplatform scale deploy/redis --replicas=1",
        ];
        var at = steps.Select(step => restore.Stdout.IndexOf(step, StringComparison.Ordinal)).ToList();
        Assert.True(at.All(i => i >= 0), restore.Stdout);
        Assert.Equal(at.Order(), at);
    }

    [Fact]
    public async Task A_restore_refuses_an_existing_file_without_force_and_leaves_it_unchanged_and_replaces_it_with_force()
    {
        await using var redis = await StartAsync(Ct);
        await using var client = await ConnectAsync(redis);
        await FillAsync(client);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, redis);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis")).ExitCode);
        var file = Path.Combine(NewDirectory("redis-existing"), "dump.rdb");
        await File.WriteAllTextAsync(file, "precious", Ct);

        var refused = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to", file);
        var unchanged = await File.ReadAllTextAsync(file, Ct);
        var forced = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to", file, "--force");

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal($"lifeboat: error: {file} exists; the restore would replace that file. hint: nothing was written; a server must not be running on it when it is replaced; restore to another path with --to, or add --force to replace it\n", refused.Stderr);
        Assert.Equal("precious", unchanged);
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        Assert.StartsWith("REDIS0010", (await File.ReadAllTextAsync(file, Ct))[..9], StringComparison.Ordinal);
        Assert.Single(Directory.GetFileSystemEntries(Path.GetDirectoryName(file)!));
    }
}
