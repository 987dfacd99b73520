using System.Text.Json;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Repository;

namespace Lifeboat.IntegrationTests.Cli;

/// <summary>'backup postgres --dry-run' and 'restore postgres --dry-run' through the executable: what they show, and that nothing changes.</summary>
public sealed class CliDryRunTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Sql = """
        CREATE TABLE items (id int PRIMARY KEY, name text);
        INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 250) g;
        CREATE TABLE tags (id int PRIMARY KEY, label text);
        INSERT INTO tags SELECT g, 'tag ' || g FROM generate_series(1, 7) g;
        """;

    [Fact]
    public async Task Backup_dry_run_shows_the_server_tables_extensions_and_size_estimate_and_writes_nothing_to_the_repository()
    {
        await using var database = await TestDatabase.CreateAsync("dryback", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        // A live exclusive lock held by this test process: a dry run that took any lock, even to release it at once, fails.
        await using var held = await HoldExclusiveLockAsync(repo);
        var before = RepositoryFiles(repo);

        var text = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--dry-run");
        var json = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--dry-run", "--json");

        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains("dry run: nothing was dumped", text.Stdout, StringComparison.Ordinal);
        Assert.Contains($"would back up postgres/app: {TestEnvironment.PgHost}:{TestEnvironment.PgPort}/{database.Name}", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 tables; extensions: plpgsql", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("to dump (estimated", text.Stdout, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.Stderr);
        using var plan = JsonDocument.Parse(json.Stdout);
        Assert.True(plan.RootElement.GetProperty("dryRun").GetBoolean());
        Assert.Equal(database.Name, plan.RootElement.GetProperty("database").GetString());
        Assert.Equal(2, plan.RootElement.GetProperty("tables").GetInt32());
        Assert.InRange(plan.RootElement.GetProperty("estimatedBytes").GetInt64(), 1, 10_000_000);
        Assert.Equal(JsonValueKind.Null, plan.RootElement.GetProperty("lockedTables").ValueKind);
        Assert.Contains(plan.RootElement.GetProperty("extensions").EnumerateArray(), e => e.GetProperty("name").GetString() == "plpgsql");
        Assert.Equal(before, RepositoryFiles(repo));
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task Backup_dry_run_while_another_session_locks_a_table_names_it_and_still_estimates_instead_of_waiting()
    {
        await using var database = await TestDatabase.CreateAsync("drylocked", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        await using var holder = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString(database.Name));
        await holder.OpenAsync(Ct);
        await using var held = await holder.BeginTransactionAsync(Ct);
        await using (var lockTable = new Npgsql.NpgsqlCommand("LOCK TABLE items IN ACCESS EXCLUSIVE MODE", holder))
            await lockTable.ExecuteNonQueryAsync(Ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var text = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--dry-run");
        var json = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--dry-run", "--json");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the dry runs took {clock.Elapsed}");
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains("estimated from the planner's statistics, as a table was locked", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("table public.items is locked by another session (ACCESS EXCLUSIVE): the backup's pg_dump would wait up to 5 min for each lock, then fail", text.Stdout, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.Stderr);
        using var plan = JsonDocument.Parse(json.Stdout);
        Assert.Equal(["public.items"], plan.RootElement.GetProperty("lockedTables").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Backup_dry_run_of_an_unreachable_server_fails_with_the_backup_s_own_line_and_exit_code()
    {
        await using var database = await TestDatabase.CreateAsync("dryunreach", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app") with { Port = 1 });

        var dryRun = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--dry-run");
        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres");

        Assert.Equal(1, dryRun.ExitCode);
        Assert.StartsWith("lifeboat: error: cannot reach PostgreSQL at 127.0.0.1:1", dryRun.Stderr, StringComparison.Ordinal);
        Assert.Equal(backup.Stderr, dryRun.Stderr);
        Assert.Equal(backup.ExitCode, dryRun.ExitCode);
    }

    [Fact]
    public async Task Restore_dry_run_into_a_new_database_lists_the_backup_s_tables_and_row_counts_and_creates_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("dryrestore", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var target = database.Companion("restored");
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);
        await using var held = await HoldExclusiveLockAsync(repo);
        var before = RepositoryFiles(repo);

        var dryRun = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--target-db", target, "--jobs", "2", "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.Stderr);
        Assert.Equal("", dryRun.Stderr);
        var lines = dryRun.Stdout.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l => l.StartsWith("public.items", StringComparison.Ordinal) && l.EndsWith("250", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("public.tags", StringComparison.Ordinal) && l.EndsWith('7'));
        Assert.Contains($"into database '{target}' on {TestEnvironment.PgHost}:{TestEnvironment.PgPort}", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains($"database '{target}' does not exist: it would be created", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 parallel jobs", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains("the restore would be allowed", dryRun.Stdout, StringComparison.Ordinal);
        Assert.False(await TestDatabase.ExistsAsync(target));
        Assert.Empty(await TestDatabase.StagingDatabasesAsync(target));
        Assert.Equal(before, RepositoryFiles(repo));
    }

    [Fact]
    public async Task Restore_dry_run_over_an_existing_database_without_force_shows_what_it_would_replace_and_fails_as_the_restore_would()
    {
        await using var database = await TestDatabase.CreateAsync("dryforce", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);
        await database.ExecuteAsync("UPDATE items SET name = 'changed'");
        var fingerprint = await DatabaseFingerprint.TakeAsync(database.Name);

        var dryRun = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--dry-run");
        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres");

        Assert.Equal(restore.ExitCode, dryRun.ExitCode);
        Assert.Equal(1, dryRun.ExitCode);
        Assert.Equal(restore.Stderr, dryRun.Stderr);
        Assert.StartsWith($"lifeboat: error: database '{database.Name}' already exists", dryRun.Stderr, StringComparison.Ordinal);
        Assert.Contains($"database '{database.Name}' exists (", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 tables): without --force the restore refuses to replace it", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains("the restore would be refused", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Equal(fingerprint, await DatabaseFingerprint.TakeAsync(database.Name));
    }

    [Fact]
    public async Task Restore_dry_run_with_force_as_json_says_it_would_replace_the_database_and_leaves_it_untouched()
    {
        await using var database = await TestDatabase.CreateAsync("dryjson", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--json");
        using var summary = JsonDocument.Parse(backup.Stdout);
        await database.ExecuteAsync("DELETE FROM items WHERE id > 100");
        var fingerprint = await DatabaseFingerprint.TakeAsync(database.Name);
        await using var held = await HoldExclusiveLockAsync(repo);
        var before = RepositoryFiles(repo);

        var dryRun = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--force", "--dry-run", "--json");

        Assert.True(dryRun.ExitCode == 0, dryRun.Stderr);
        using var plan = JsonDocument.Parse(dryRun.Stdout);
        var root = plan.RootElement;
        Assert.True(root.GetProperty("dryRun").GetBoolean());
        Assert.Equal(summary.RootElement.GetProperty("id").GetString(), root.GetProperty("id").GetString());
        Assert.Equal(database.Name, root.GetProperty("targetDatabase").GetString());
        Assert.True(root.GetProperty("allowed").GetBoolean());
        Assert.True(root.GetProperty("replaces").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("refusal").ValueKind);
        Assert.Equal(2, root.GetProperty("existingDatabase").GetProperty("tables").GetInt32());
        Assert.True(root.GetProperty("existingDatabase").GetProperty("sizeBytes").GetInt64() > 0);
        var items = root.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == "items");
        Assert.Equal(250, items.GetProperty("rows").GetInt64());
        Assert.Equal(fingerprint, await DatabaseFingerprint.TakeAsync(database.Name));
        Assert.Equal(before, RepositoryFiles(repo));
    }

    [Fact]
    public async Task Restore_dry_run_with_force_over_a_database_the_user_does_not_own_is_refused_as_the_restore_is_before_anything_is_created()
    {
        await using var database = await TestDatabase.CreateAsync("drynotowner", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", repo.WriteConfig(database.SourceConfig("app")), "backup", "postgres")).ExitCode);
        await using var role = await LoginRole.CreateAsync("dry_notowner", "CREATEDB");
        var config = repo.WriteConfig(database.SourceConfig("app") with { User = role.Name, PasswordEnv = LoginRole.PasswordVariable });
        var fingerprint = await DatabaseFingerprint.TakeAsync(database.Name);

        var dryRun = await Infrastructure.Cli.RunAsync(role.Environment, "--config", config, "restore", "postgres", "--force", "--dry-run");
        var restore = await Infrastructure.Cli.RunAsync(role.Environment, "--config", config, "restore", "postgres", "--force");

        Assert.Equal(1, dryRun.ExitCode);
        Assert.Equal(restore.ExitCode, dryRun.ExitCode);
        Assert.Equal(restore.Stderr, dryRun.Stderr);
        Assert.StartsWith($"lifeboat: error: user '{role.Name}' does not own database '{database.Name}' on {TestEnvironment.PgHost}:{TestEnvironment.PgPort} (its owner is '{TestEnvironment.PgUser}')", dryRun.Stderr, StringComparison.Ordinal);
        Assert.Contains("the restore would be refused", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Empty(await TestDatabase.StagingDatabasesAsync(database.Name));
        Assert.Equal(fingerprint, await DatabaseFingerprint.TakeAsync(database.Name));
    }

    [Fact]
    public async Task Restore_dry_run_as_a_user_that_may_not_create_databases_is_refused_as_the_restore_is()
    {
        await using var database = await TestDatabase.CreateAsync("drynocreatedb", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", repo.WriteConfig(database.SourceConfig("app")), "backup", "postgres")).ExitCode);
        await using var role = await LoginRole.CreateAsync("dry_nocreatedb", "NOCREATEDB");
        var config = repo.WriteConfig(database.SourceConfig("app") with { User = role.Name, PasswordEnv = LoginRole.PasswordVariable });
        var target = database.Companion("restored");

        var dryRun = await Infrastructure.Cli.RunAsync(role.Environment, "--config", config, "restore", "postgres", "--target-db", target, "--dry-run");
        var restore = await Infrastructure.Cli.RunAsync(role.Environment, "--config", config, "restore", "postgres", "--target-db", target);

        Assert.Equal(1, dryRun.ExitCode);
        Assert.Equal(restore.ExitCode, dryRun.ExitCode);
        Assert.Equal(restore.Stderr, dryRun.Stderr);
        Assert.StartsWith($"lifeboat: error: user '{role.Name}' may not create databases on {TestEnvironment.PgHost}:{TestEnvironment.PgPort}", dryRun.Stderr, StringComparison.Ordinal);
        Assert.Contains($"hint: ALTER ROLE \"{role.Name}\" CREATEDB", dryRun.Stderr, StringComparison.Ordinal);
        Assert.False(await TestDatabase.ExistsAsync(target));
    }

    [Fact]
    public async Task Restore_with_jobs_and_a_spool_directory_that_does_not_exist_yet_creates_it_and_its_dry_run_allows_it_creating_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("drynospool", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);
        var target = database.Companion("restored");
        var spool = Path.Combine(repo.Directory, "new-disk", "spool");

        var dryRun = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--target-db", target, "--jobs", "2", "--spool-dir", spool, "--dry-run");
        Assert.Equal(0, dryRun.ExitCode);
        Assert.False(Directory.Exists(spool));
        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--target-db", target, "--jobs", "2", "--spool-dir", spool);

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.True(await TestDatabase.ExistsAsync(target));
    }

    [Fact]
    public async Task Restore_dry_run_with_jobs_and_a_spool_directory_the_user_may_not_write_is_refused_as_the_restore_is()
    {
        await using var database = await TestDatabase.CreateAsync("drylockedspool", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);
        var target = database.Companion("restored");
        var spool = Directory.CreateDirectory(Path.Combine(repo.Directory, "read-only-spool"), UnixFileMode.UserRead | UnixFileMode.UserExecute).FullName;
        try
        {
            var dryRun = await Infrastructure.Cli.RunHonouringFilePermissionsAsync("--config", config, "restore", "postgres", "--target-db", target, "--jobs", "2", "--spool-dir", spool, "--dry-run");
            var restore = await Infrastructure.Cli.RunHonouringFilePermissionsAsync("--config", config, "restore", "postgres", "--target-db", target, "--jobs", "2", "--spool-dir", spool);

            Assert.Equal(1, dryRun.ExitCode);
            Assert.Equal(restore.ExitCode, dryRun.ExitCode);
            Assert.Equal(restore.Stderr, dryRun.Stderr);
            Assert.StartsWith($"lifeboat: error: the spool directory {spool} of a parallel restore is not writable by this user; nothing was changed", dryRun.Stderr, StringComparison.Ordinal);
            Assert.False(await TestDatabase.ExistsAsync(target));
            Assert.Empty(await TestDatabase.StagingDatabasesAsync(target));
        }
        finally
        {
            File.SetUnixFileMode(spool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public async Task Restore_dry_run_over_a_database_the_user_may_not_connect_to_says_its_size_is_unknown_and_refuses_as_the_restore_does()
    {
        await using var database = await TestDatabase.CreateAsync("drynoconnect", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", repo.WriteConfig(database.SourceConfig("app")), "backup", "postgres")).ExitCode);
        await using var role = await LoginRole.CreateAsync("dry_noconnect", "CREATEDB");
        await TestDatabase.AdminAsync($"REVOKE CONNECT ON DATABASE \"{database.Name}\" FROM PUBLIC");
        var config = repo.WriteConfig(database.SourceConfig("app") with { User = role.Name, PasswordEnv = LoginRole.PasswordVariable });

        var dryRun = await Infrastructure.Cli.RunAsync(role.Environment, "--config", config, "restore", "postgres", "--dry-run");
        var json = await Infrastructure.Cli.RunAsync(role.Environment, "--config", config, "restore", "postgres", "--dry-run", "--json");
        var restore = await Infrastructure.Cli.RunAsync(role.Environment, "--config", config, "restore", "postgres");

        Assert.Equal(1, dryRun.ExitCode);
        Assert.Equal(restore.Stderr, dryRun.Stderr);
        Assert.StartsWith($"lifeboat: error: database '{database.Name}' already exists", dryRun.Stderr, StringComparison.Ordinal);
        Assert.Contains($"database '{database.Name}' exists (size unknown (no CONNECT privilege), tables not counted: it cannot be connected to): without --force", dryRun.Stdout, StringComparison.Ordinal);
        using var plan = JsonDocument.Parse(json.Stdout);
        Assert.Equal(JsonValueKind.Null, plan.RootElement.GetProperty("existingDatabase").GetProperty("sizeBytes").ValueKind);
    }

    [Fact]
    public async Task A_lock_held_by_another_process_stops_a_real_restore_so_the_dry_runs_beside_it_prove_they_take_none()
    {
        await using var database = await TestDatabase.CreateAsync("drylockcontrol", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);
        await using var held = await HoldExclusiveLockAsync(repo);

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--target-db", database.Companion("restored"));

        Assert.NotEqual(0, restore.ExitCode);
        Assert.Contains("lock", restore.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    // The repository's exclusive lock, held by this (live) test process until disposed; its heartbeat never rewrites
    // the lock file while a test compares the repository's files.
    private static Task<RepositoryLock> HoldExclusiveLockAsync(TestRepository repo) =>
        RepositoryLock.AcquireAsync(repo.Repository.Store, LockScope.Repository, exclusive: true, "test holding the repository", TimeSpan.FromHours(1), RepositoryLock.StaleAfter, Ct);

    // Every file of the repository with its size and last write: a lock, an upload or a manifest would show here.
    private static List<string> RepositoryFiles(TestRepository repo) =>
        Directory.GetFiles(repo.RepositoryPath, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => $"{f} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}")
            .ToList();
}
