using System.Diagnostics;
using System.Text.Json;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.IntegrationTests.Postgres;
using Lifeboat.Repository;

namespace Lifeboat.IntegrationTests.Cli;

public sealed class CliBackupRestoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Sql = """
        CREATE TABLE items (id int PRIMARY KEY, name text);
        INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 250) g;
        """;

    [Fact]
    public async Task Backup_json_list_json_and_restore_work_end_to_end_through_the_executable()
    {
        await using var database = await TestDatabase.CreateAsync("cli", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var target = database.Companion("restored");

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--json");
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        using var summary = JsonDocument.Parse(backup.Stdout);
        var id = summary.RootElement.GetProperty("id").GetString()!;
        foreach (var field in new[] { "id", "source", "name", "kind", "startedAt", "finishedAt", "sizeBytes", "storedBytes" })
            Assert.True(summary.RootElement.TryGetProperty(field, out _), $"backup --json lacks '{field}': {backup.Stdout}");
        Assert.Equal("postgres", summary.RootElement.GetProperty("source").GetString());

        var list = await Infrastructure.Cli.RunAsync("--config", config, "list", "--json");
        Assert.Equal(0, list.ExitCode);
        using var listed = JsonDocument.Parse(list.Stdout);
        Assert.Equal(id, Assert.Single(listed.RootElement.EnumerateArray()).GetProperty("id").GetString());

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--backup", id, "--target-db", target);
        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Contains("items", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("row counts match the backup exactly", restore.Stdout, StringComparison.Ordinal);
        Assert.Equal(await DatabaseFingerprint.TakeAsync(database.Name), await DatabaseFingerprint.TakeAsync(target));
    }

    [Fact]
    public async Task Backup_and_restore_work_through_an_S3_repository_configured_in_the_yaml_file()
    {
        await using var database = await TestDatabase.CreateAsync("clis3", Sql);
        await using var repo = await TestRepository.CreateS3Async();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var target = database.Companion("restored");

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres");
        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--target-db", target);

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Equal(await DatabaseFingerprint.TakeAsync(database.Name), await DatabaseFingerprint.TakeAsync(target));
    }

    [Fact]
    public async Task The_post_restore_command_runs_with_the_restored_database_in_its_environment()
    {
        await using var database = await TestDatabase.CreateAsync("clipost", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var marker = Path.Combine(repo.Directory, "post-restore.txt");
        var config = repo.WriteConfig(database.SourceConfig("app") with
        {
            PostRestore = $"psql -tAc 'SELECT count(*) FROM items' > {marker}; echo \"$PGDATABASE\" >> {marker}",
        });
        var target = database.Companion("restored");
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--target-db", target);

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Equal($"250\n{target}\n", await File.ReadAllTextAsync(marker, Ct));
    }

    [Fact]
    public async Task A_failing_post_restore_command_fails_the_restore_and_says_the_data_is_in_place()
    {
        await using var database = await TestDatabase.CreateAsync("clipostfail", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app") with { PostRestore = "echo 'alembic: no such revision' >&2; exit 3" });
        var target = database.Companion("restored");
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--target-db", target);

        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("was restored and verified, but the postRestore command failed (exit code 3): alembic: no such revision", restore.Stderr, StringComparison.Ordinal);
        Assert.True(await TestDatabase.ExistsAsync(target));
    }

    [Fact]
    public async Task Restore_over_an_existing_database_without_force_exits_non_zero_with_one_line_and_changes_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("cliforce", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);
        await database.ExecuteAsync("UPDATE items SET name = 'changed'");
        var before = await DatabaseFingerprint.TakeAsync(database.Name);

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--backup", "latest");

        Assert.Equal(1, restore.ExitCode);
        var line = Assert.Single(restore.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"lifeboat: error: database '{database.Name}' already exists", line, StringComparison.Ordinal);
        Assert.Equal(before, await DatabaseFingerprint.TakeAsync(database.Name));
    }

    [Fact]
    public async Task Check_read_data_exits_3_unhealthy_and_restore_exits_1_both_naming_the_corrupted_object()
    {
        await using var database = await TestDatabase.CreateAsync("clicheck", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "check", "--read-data")).ExitCode);
        var archive = (await repo.Repository.ListBackupsAsync(null, Ct)).Single().Objects.Single();
        PostgresRestoreSafetyTests.FlipByte(Path.Combine(repo.RepositoryPath, archive.Key), archive.StoredBytes - 40);

        var check = await Infrastructure.Cli.RunAsync("--config", config, "check", "--read-data");
        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--target-db", database.Companion("restored"));

        Assert.Equal(3, check.ExitCode);
        Assert.Contains(archive.Key, check.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, restore.ExitCode);
        Assert.Contains(archive.Key, restore.Stderr, StringComparison.Ordinal);
        Assert.False(await TestDatabase.ExistsAsync(database.Name + "_restored"));
    }

    [Fact]
    public async Task A_wrong_key_file_is_one_readable_line_exit_1_and_writes_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("clikey", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        File.Delete(repo.KeyFile);
        Lifeboat.Format.KeyFile.Create(repo.KeyFile);

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres");

        Assert.Equal(1, backup.ExitCode);
        var line = Assert.Single(backup.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("lifeboat: error: the key does not open the repository", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(repo.RepositoryPath, "postgres")));
        Assert.Empty(Directory.Exists(Path.Combine(repo.RepositoryPath, "locks")) ? Directory.GetFiles(Path.Combine(repo.RepositoryPath, "locks")) : []);
    }

    [Fact]
    public async Task An_unreachable_server_is_one_readable_line_and_records_no_backup()
    {
        await using var database = await TestDatabase.CreateAsync("cliunreach", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app") with { Port = 1 });

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres");

        Assert.Equal(1, backup.ExitCode);
        var line = Assert.Single(backup.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("lifeboat: error: cannot reach PostgreSQL at 127.0.0.1:1", line, StringComparison.Ordinal);
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task On_a_terminal_a_backup_draws_its_progress_and_succeeds()
    {
        await using var database = await TestDatabase.CreateAsync("clitty", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        // script(1) runs the command on a pseudo-terminal, as an operator's shell would.
        var command = $"'{Infrastructure.Cli.Executable}' --config '{config}' backup postgres";
        var info = new ProcessStartInfo("script", ["-qec", command, "/dev/null"])
        { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.Environment.Remove("CI");
        info.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var transcript = process.StandardOutput.ReadToEndAsync(Ct);
        var errors = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);

        Assert.True(process.ExitCode == 0, await transcript + await errors);
        Assert.Contains("pg_dump app (size estimated)", await transcript, StringComparison.Ordinal);
        Assert.Contains("\u001b[", await transcript, StringComparison.Ordinal);
        Assert.Contains("backup ", await transcript, StringComparison.Ordinal);
        Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task A_backup_is_named_by_a_unique_prefix_and_an_ambiguous_one_is_refused_listing_the_candidates()
    {
        await using var database = await TestDatabase.CreateAsync("cliprefix", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);
        var backups = await repo.Repository.ListBackupsAsync(null, Ct);
        var suffix = new BackupId(backups[0].Id).Suffix;

        var bySuffix = await Infrastructure.Cli.RunAsync("--config", config, "cat", suffix);
        var ambiguous = await Infrastructure.Cli.RunAsync("--config", config, "cat", backups[0].Id[..4]);

        Assert.Equal(0, bySuffix.ExitCode);
        Assert.StartsWith("PGDMP", bySuffix.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Equal(
            $"lifeboat: error: '{backups[0].Id[..4]}' could be any of 2 backups: {backups[0].Id}, {backups[1].Id}. hint: give more characters of the id",
            ambiguous.Stderr.Trim());
    }

    [Fact]
    public async Task Defect_4_list_of_a_name_without_backups_says_so_and_not_no_backups_yet_in_a_repository_that_holds_some()
    {
        await using var database = await TestDatabase.CreateAsync("clinone", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);

        var byName = await Infrastructure.Cli.RunAsync("--config", config, "list", "--name", "nosuch");
        var bySource = await Infrastructure.Cli.RunAsync("--config", config, "list", "--source", "postgres", "--name", "nosuch");
        var missingId = await Infrastructure.Cli.RunAsync("--config", config, "cat", "nope");

        Assert.Equal("no backups named 'nosuch'; the repository holds 1 other backup(s) (see 'lifeboat list')", byName.Stdout.Trim());
        Assert.Equal("no backups of postgres/nosuch", bySource.Stdout.Trim());
        Assert.StartsWith("lifeboat: error: there is no backup with id 'nope' in ", missingId.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cat_writes_the_archive_in_pg_dump_format_so_pg_restore_can_list_it()
    {
        await using var database = await TestDatabase.CreateAsync("clicat", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--json");
        var id = JsonDocument.Parse(backup.Stdout).RootElement.GetProperty("id").GetString()!;
        var archive = Path.Combine(repo.Directory, "archive.dump");

        var cat = await Infrastructure.Cli.RunAsync("--config", config, "cat", id);
        // The CLI helper reads stdout as text; pg_restore wants the bytes, so cat into a file through a shell.
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"'{Path.Combine(AppContext.BaseDirectory, "lifeboat")}' --config '{config}' cat {id} > '{archive}' && pg_restore -l '{archive}'"])
        { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var listing = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);

        Assert.Equal(0, cat.ExitCode);
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("TABLE DATA public items", listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_lock_is_reported_with_its_owner_and_unlock_removes_it()
    {
        await using var database = await TestDatabase.CreateAsync("clilock", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        Directory.CreateDirectory(Path.Combine(repo.RepositoryPath, "locks"));
        await File.WriteAllTextAsync(Path.Combine(repo.RepositoryPath, "locks", "20260101T000000Z-deadbeef"), """
            {"id":"20260101T000000Z-deadbeef","exclusive":true,"command":"prune","host":"old-host","pid":4242,
             "createdAt":"2026-01-01T00:00:00Z","heartbeatAt":"2026-01-01T00:00:00Z"}
            """, Ct);

        var blocked = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres");
        var unlock = await Infrastructure.Cli.RunAsync("--config", config, "unlock");
        var after = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres");

        Assert.Equal(1, blocked.ExitCode);
        Assert.Contains("stale exclusive lock 20260101T000000Z-deadbeef on the whole repository held by 'prune' on host old-host, pid 4242", blocked.Stderr, StringComparison.Ordinal);
        Assert.Contains("lifeboat unlock", blocked.Stderr, StringComparison.Ordinal);
        Assert.Contains("removed exclusive lock 20260101T000000Z-deadbeef", unlock.Stdout, StringComparison.Ordinal);
        Assert.True(after.ExitCode == 0, after.Stderr);
    }
}
