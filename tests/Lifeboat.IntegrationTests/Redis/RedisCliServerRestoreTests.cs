using System.Text.Json;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Redis;
using Lifeboat.TestKit.Servers;
using StackExchange.Redis;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>'restore redis --to-server' through the executable, from a real backup into real, fresh redis-servers.</summary>
public sealed class RedisCliServerRestoreTests
{
    private const string TargetPasswordVariable = "LIFEBOAT_TEST_TARGET_PASSWORD";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_snapshot_restored_into_an_empty_server_has_the_source_s_digest_and_the_counts_the_backup_recorded()
    {
        await using var source = await StartAsync(Ct);
        await using var sourceAdmin = await ConnectAsync(source);
        await AllTypesDataset.FillAsync(sourceAdmin);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source);
        var id = await BackupAsync(repo, config);
        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--backup", id, "--to-server", Endpoint(target));

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Equal(await DigestAsync(sourceAdmin), await DigestAsync(targetAdmin));
        Assert.Equal([AllTypesDataset.Library], await RedisTestServer.LibrariesAsync(targetAdmin));
        Assert.Matches(@"\n +0 +20 +20 +0 +0 *\n", restore.Stdout);
        Assert.Matches(@"\n +5 +1 +1 +0 +0 *\n", restore.Stdout);
        Assert.Contains($"restored backup {id} into the Redis at {Endpoint(target)}: 24 keys in 3 databases, function library {AllTypesDataset.Library}; each database's keys match the counts the backup recorded", restore.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_records_each_database_s_exact_key_count_and_show_prints_it()
    {
        await using var source = await StartAsync(Ct);
        await using var sourceAdmin = await ConnectAsync(source);
        await AllTypesDataset.FillAsync(sourceAdmin);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source);
        var id = await BackupAsync(repo, config);

        var info = RedisSnapshotInfo.Of((await repo.Repository.ListBackupsAsync(null, Ct)).Single());
        var show = await Infrastructure.Cli.RunAsync("--config", config, "show", id);

        Assert.Equal([new RedisKeyspace(0, 20, 3), new RedisKeyspace(1, 3, 1), new RedisKeyspace(5, 1, 0)], info.RdbKeyspace);
        Assert.Equal((await RedisTestServer.KeyCountsAsync(sourceAdmin)).Select(c => (c.Key, c.Value)), info.RdbKeyspace!.Select(d => (d.Database, d.Keys)));
        Assert.Equal(24, info.TotalKeys);
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Contains("databases (3, 24 keys, counted in the RDB)", show.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n +1 +3 +1\n", show.Stdout);
    }

    [Fact]
    public async Task A_target_holding_keys_is_refused_without_force_in_one_line_and_nothing_is_written()
    {
        var (repo, config, _) = await BackedUpAsync();
        await using var _repo = repo;
        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);
        await targetAdmin.GetDatabase(0).StringSetAsync("theirs", "1");

        var refused = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", Endpoint(target));

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal(
            $"lifeboat: error: the Redis at {Endpoint(target)} is not empty: database 0 holds 1 keys. hint: nothing was written; restore into an empty server, or add --force to write beside its keys (keys it already has are refused unless --replace)\n",
            refused.Stderr);
        Assert.Equal(new Dictionary<int, long> { [0] = 1 }, await RedisTestServer.KeyCountsAsync(targetAdmin));
        Assert.Empty(await RedisTestServer.LibrariesAsync(targetAdmin));
    }

    [Fact]
    public async Task A_target_holding_only_a_function_library_is_refused_without_force_with_a_hint_about_functions_and_nothing_is_written()
    {
        var (repo, config, _) = await BackedUpAsync();
        await using var _repo = repo;
        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);
        await targetAdmin.GetDatabase().ExecuteAsync("FUNCTION", "LOAD", "#!lua name=theirs\nredis.register_function('their_echo', function(keys, args) return args[1] end)");

        var refused = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", Endpoint(target));

        // Known only once the RDB has been read through, so the reading's progress lines come first.
        Assert.Equal(2, refused.ExitCode);
        Assert.EndsWith(
            $"\nlifeboat: error: the Redis at {Endpoint(target)} is not empty: it has the function library 'theirs'. hint: nothing was written; restore into an empty server, add --force to load the backup's functions beside its libraries (a library it already has is refused unless --replace), or leave the functions out with --db or --match\n",
            refused.Stderr,
            StringComparison.Ordinal);
        Assert.Single(refused.Stderr.Split('\n'), line => line.StartsWith("lifeboat: error:", StringComparison.Ordinal));
        Assert.Empty(await RedisTestServer.KeyCountsAsync(targetAdmin));
        Assert.Equal(["theirs"], await RedisTestServer.LibrariesAsync(targetAdmin));
    }

    [Fact]
    public async Task With_force_a_key_the_target_has_is_refused_without_replace_and_overwritten_with_it()
    {
        var (repo, config, sourceDigest) = await BackedUpAsync();
        await using var _repo = repo;
        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);
        await targetAdmin.GetDatabase(0).StringSetAsync("str:short", "theirs");

        var refused = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", Endpoint(target), "--force");
        var kept = (string?)await targetAdmin.GetDatabase(0).StringGetAsync("str:short");
        var countsAfterRefusal = await RedisTestServer.KeyCountsAsync(targetAdmin);
        var replaced = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", Endpoint(target), "--force", "--replace");

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal(
            $"lifeboat: error: the Redis at {Endpoint(target)} already has 1 of the keys to restore, key 'str:short' in database 0 the first. hint: nothing was written; delete those keys on the target, or restore fewer keys; add --replace to overwrite them, or leave them out with --db or --match\n",
            refused.Stderr);
        Assert.Equal("theirs", kept);
        Assert.Equal(new Dictionary<int, long> { [0] = 1 }, countsAfterRefusal);
        Assert.True(replaced.ExitCode == 0, replaced.Stderr);
        Assert.Equal(sourceDigest, await DigestAsync(targetAdmin));
    }

    [Fact]
    public async Task Db_and_match_restore_only_the_chosen_keys_and_no_functions_and_json_counts_the_rest()
    {
        var (repo, config, _) = await BackedUpAsync();
        await using var _repo = repo;
        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", Endpoint(target), "--db", "0", "--db", "1,5", "--match", "*:ttl*", "--json");

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        var keys = await AllTypesDataset.KeysAsync(targetAdmin, 0, 1, 5);
        Assert.Equal([(0, "str:ttl"), (0, "str:ttl-soon"), (1, "db1:ttl")], keys.Select(k => (k.Db, k.Key)));
        Assert.Equal(AllTypesDataset.FarExpiry, keys[0].ExpireAtMs);
        Assert.Empty(await RedisTestServer.LibrariesAsync(targetAdmin));
        using var json = JsonDocument.Parse(restore.Stdout);
        Assert.Equal(3, json.RootElement.GetProperty("keysRestored").GetInt64());
        Assert.Empty(json.RootElement.GetProperty("functionLibraries").EnumerateArray());
        Assert.True(json.RootElement.GetProperty("countsCheckedAgainstBackup").GetBoolean());
        Assert.Equal(1, json.RootElement.GetProperty("functionLibrariesNotRestored").GetInt32());
        var databases = json.RootElement.GetProperty("databases").EnumerateArray()
            .Select(d => (d.GetProperty("db").GetInt32(), d.GetProperty("keys").GetInt64(), d.GetProperty("restored").GetInt64(), d.GetProperty("filteredOut").GetInt64())).ToList();
        Assert.Equal([(0, 20L, 2L, 18L), (1, 3L, 1L, 2L), (5, 1L, 0L, 1L)], databases);
    }

    [Fact]
    public async Task The_configured_databases_choose_what_a_restore_takes_when_db_is_not_given_and_leave_the_function_libraries_in()
    {
        await using var source = await StartAsync(Ct);
        await using var sourceAdmin = await ConnectAsync(source);
        await AllTypesDataset.FillAsync(sourceAdmin);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.Config()
            .Set("redis[0].name", "cache")
            .Set("redis[0].host", source.Host)
            .Set("redis[0].port", source.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Set("redis[0].databases", "1,5")
            .WriteTo(Path.Combine(repo.Directory, "lifeboat.yaml"));
        await BackupAsync(repo, config);
        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", Endpoint(target));
        var overridden = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", Endpoint(target), "--db", "0", "--force");

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Contains($": 4 keys in 2 databases, function library {AllTypesDataset.Library}", restore.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("not restored", restore.Stdout, StringComparison.Ordinal);
        Assert.True(overridden.ExitCode == 0, overridden.Stderr);
        Assert.Contains("\n1 function library in the backup was not restored (filtered by --db or --match)\n", overridden.Stdout, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<int, long> { [0] = 20, [1] = 3, [5] = 1 }, await RedisTestServer.KeyCountsAsync(targetAdmin));
        Assert.Equal([AllTypesDataset.Library], await RedisTestServer.LibrariesAsync(targetAdmin));
    }

    [Fact]
    public async Task A_bit_flipped_stored_rdb_is_refused_before_anything_is_written_into_the_target()
    {
        var (repo, config, _) = await BackedUpAsync();
        await using var _repo = repo;
        var stored = (await repo.Repository.ListBackupsAsync(null, Ct)).Single().Objects.Single();
        var path = Path.Combine(repo.RepositoryPath, stored.Key);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[bytes.Length * 3 / 4] ^= 0x10;
        await File.WriteAllBytesAsync(path, bytes, Ct);
        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", Endpoint(target));

        Assert.Equal(1, restore.ExitCode);
        Assert.StartsWith("lifeboat: error: ", restore.Stderr, StringComparison.Ordinal);
        Assert.Single(restore.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("lifeboat: error: ", StringComparison.Ordinal));
        Assert.Contains(stored.Key, restore.Stderr, StringComparison.Ordinal);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(targetAdmin));
        Assert.Empty(await RedisTestServer.LibrariesAsync(targetAdmin));
    }

    [Fact]
    public async Task A_wrong_target_password_fails_in_one_line_that_never_shows_it_with_exit_2_as_a_backup_s_does()
    {
        var (repo, config, _) = await BackedUpAsync();
        await using var _repo = repo;
        await using var target = await StartAsync(Ct, "right target pass");
        const string Wrong = "wrong-and-secret-1234";

        var restore = await Infrastructure.Cli.RunAsync(
            new Dictionary<string, string?> { [TargetPasswordVariable] = Wrong },
            "--config", config, "restore", "redis", "--to-server", Endpoint(target), "--to-password-env", TargetPasswordVariable);
        var none = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", Endpoint(target));

        Assert.Equal(2, restore.ExitCode);
        Assert.Equal(
            $"lifeboat: error: cannot log in to the Redis at {Endpoint(target)}: it refused the password for the default user. hint: nothing was written; check --to-user and the password in the variable --to-password-env names\n",
            restore.Stderr);
        Assert.DoesNotContain(Wrong, restore.Stdout + restore.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("it asks for a password and none was given", none.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_target_and_bad_options_fail_in_one_line_with_their_exit_codes()
    {
        var (repo, config, _) = await BackedUpAsync();
        await using var _repo = repo;
        var closedPort = FreeTcpPort.Pick();

        var unreachable = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", $"127.0.0.1:{closedPort}");
        var both = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to", "/tmp/x.rdb", "--to-server", "127.0.0.1:6379");
        var noPort = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", "redis.internal");
        var badDb = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", "127.0.0.1:6379", "--db", "0,x");
        var strayMatch = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to", "/tmp/x.rdb", "--match", "a*");

        Assert.Equal(1, unreachable.ExitCode);
        Assert.Equal($"lifeboat: error: cannot connect to the Redis at 127.0.0.1:{closedPort}: Connection refused. hint: check that the server runs and is reachable from here; nothing was written; check --to-server HOST:PORT\n", unreachable.Stderr);
        Assert.Equal((2, "lifeboat: error: give exactly one of --to FILE and --to-server HOST:PORT\n"), (both.ExitCode, both.Stderr));
        Assert.Equal((2, "lifeboat: error: --to-server takes HOST:PORT, such as redis.internal:6379 or [::1]:6379, not 'redis.internal'\n"), (noPort.ExitCode, noPort.Stderr));
        Assert.Equal((2, "lifeboat: error: --db takes database numbers, such as --db 0 --db 2 or --db 0,2, not 'x'\n"), (badDb.ExitCode, badDb.Stderr));
        Assert.Equal((2, "lifeboat: error: --match applies to a restore into a running server (--to-server HOST:PORT) only\n"), (strayMatch.ExitCode, strayMatch.Stderr));
    }

    [Fact]
    public async Task A_user_with_only_info_exists_select_restore_and_function_list_and_restore_can_restore()
    {
        var (repo, config, sourceDigest) = await BackedUpAsync();
        await using var _repo = repo;
        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);
        await targetAdmin.GetDatabase().ExecuteAsync(
            "ACL", "SETUSER", "restorer", "on", ">restorer pass", "~*", "+info", "+exists", "+select", "+restore", "+function|list", "+function|restore");

        var restore = await Infrastructure.Cli.RunAsync(
            new Dictionary<string, string?> { [TargetPasswordVariable] = "restorer pass" },
            "--config", config, "restore", "redis", "--to-server", Endpoint(target), "--to-user", "restorer", "--to-password-env", TargetPasswordVariable);

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Equal(sourceDigest, await DigestAsync(targetAdmin));
        Assert.Equal([AllTypesDataset.Library], await RedisTestServer.LibrariesAsync(targetAdmin));
    }

    [Fact]
    public async Task A_user_without_restore_permission_is_refused_by_name_and_nothing_is_written()
    {
        var (repo, config, _) = await BackedUpAsync();
        await using var _repo = repo;
        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);
        await targetAdmin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "reader", "on", ">reader pass", "~*", "+info", "+exists", "+select", "+function|list");

        var restore = await Infrastructure.Cli.RunAsync(
            new Dictionary<string, string?> { [TargetPasswordVariable] = "reader pass" },
            "--config", config, "restore", "redis", "--to-server", Endpoint(target), "--to-user", "reader", "--to-password-env", TargetPasswordVariable, "--db", "5");

        Assert.Equal(1, restore.ExitCode);
        var error = Assert.Single(restore.Stderr.Split('\n'), l => l.StartsWith("lifeboat: error: ", StringComparison.Ordinal));
        Assert.StartsWith($"lifeboat: error: the Redis at {Endpoint(target)} refused RESTORE of key 'db5:list' (database 5): NOPERM", error, StringComparison.Ordinal);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(targetAdmin));
    }

    private static async Task<(TestRepository Repo, string Config, string SourceDigest)> BackedUpAsync()
    {
        await using var source = await StartAsync(Ct);
        await using var sourceAdmin = await ConnectAsync(source);
        await AllTypesDataset.FillAsync(sourceAdmin);
        var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source);
        await BackupAsync(repo, config);
        return (repo, config, await DigestAsync(sourceAdmin));
    }

    private static async Task<string> BackupAsync(TestRepository repo, string config)
    {
        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        return (await repo.Repository.ListBackupsAsync(null, Ct)).Single().Id;
    }

    private static string Endpoint(PrivateRedis redis) => $"{redis.Host}:{redis.Port}";
}
