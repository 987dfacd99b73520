using System.Diagnostics;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.IntegrationTests.Postgres;
using Lifeboat.Postgres;

namespace Lifeboat.IntegrationTests.Cli;

public sealed class CliSafetyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Sql = """
        CREATE TABLE items (id int PRIMARY KEY, name text);
        INSERT INTO items SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 60000) g;
        """;

    [Fact]
    public async Task SIGTERM_during_a_restore_exits_130_and_leaves_no_staging_database_spool_file_or_lock()
    {
        await using var database = await TestDatabase.CreateAsync("sigterm", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var target = database.Companion("restored");
        var spool = Directory.CreateDirectory(Path.Combine(repo.Directory, "spool")).FullName;
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);

        var info = new ProcessStartInfo(Infrastructure.Cli.Executable,
            ["--config", config, "restore", "postgres", "--target-db", target, "--jobs", "2", "--spool-dir", spool])
        { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.Environment["CI"] = "true";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await WaitUntilAsync(async () => (await TestDatabase.StagingDatabasesAsync(target)).Count > 0);
        // The shell's builtin kill: no dependency on a kill binary being installed.
        Process.Start("/bin/sh", ["-c", $"kill -TERM {process.Id}"])!.WaitForExit();
        await process.WaitForExitAsync(Ct);

        Assert.True(process.ExitCode == 130, await stderr);
        Assert.Contains("interrupted", await stderr, StringComparison.Ordinal);
        Assert.Empty(await TestDatabase.StagingDatabasesAsync(target));
        Assert.False(await TestDatabase.ExistsAsync(target));
        Assert.Empty(Directory.GetFiles(spool));
        var locks = Path.Combine(repo.RepositoryPath, "locks");
        Assert.True(!Directory.Exists(locks) || Directory.GetFiles(locks).Length == 0, "a lock was left behind");
    }

    [Fact]
    public async Task SIGTERM_during_a_backup_exits_130_and_leaves_no_backup_no_partial_object_no_lock_and_no_pg_dump()
    {
        // Large enough that the dump is still streaming when the signal comes.
        await using var database = await TestDatabase.CreateAsync("sigtermbackup", """
            CREATE TABLE items (id int PRIMARY KEY, name text);
            INSERT INTO items SELECT g, repeat(md5(g::text), 16) FROM generate_series(1, 400000) g;
            """);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var uploads = Path.Combine(repo.RepositoryPath, ".tmp");

        var info = new ProcessStartInfo(Infrastructure.Cli.Executable, ["--config", config, "backup", "postgres"])
        { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.Environment["CI"] = "true";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        await WaitUntilAsync(() => Task.FromResult(LargestUpload(uploads) > 1_000_000));
        Process.Start("/bin/sh", ["-c", $"kill -TERM {process.Id}"])!.WaitForExit();
        await process.WaitForExitAsync(Ct);

        Assert.True(process.ExitCode == 130, await stderr + await stdout);
        Assert.Contains("interrupted", await stderr, StringComparison.Ordinal);
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
        var sourceFolder = Path.Combine(repo.RepositoryPath, "postgres");
        Assert.False(Directory.Exists(sourceFolder) && Directory.EnumerateFiles(sourceFolder, "*", SearchOption.AllDirectories).Any(),
            "an object of the interrupted backup is visible");
        Assert.Empty(Directory.GetFiles(uploads));
        var locks = Path.Combine(repo.RepositoryPath, "locks");
        Assert.True(!Directory.Exists(locks) || Directory.GetFiles(locks).Length == 0, "a lock was left behind");
        Assert.Equal(0L, await SessionsOnAsync(database.Name));
    }

    // Uploads are renamed away as they complete (the lock's, say): a file can vanish between listing and looking.
    private static long LargestUpload(string uploads)
    {
        if (!Directory.Exists(uploads))
            return 0;
        return new DirectoryInfo(uploads).EnumerateFiles().Select(f =>
        {
            try
            {
                return f.Length;
            }
            catch (FileNotFoundException)
            {
                return 0;
            }
        }).DefaultIfEmpty(0).Max();
    }

    // pg_dump's session ends with pg_dump; the server may take a moment to notice the closed socket.
    private static async Task<long> SessionsOnAsync(string database)
    {
        long sessions = -1;
        for (var i = 0; i < 100 && sessions != 0; i++)
        {
            if (i > 0)
                await Task.Delay(50, Ct);
            await using var connection = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString("postgres"));
            await connection.OpenAsync(Ct);
            await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @db AND backend_type = 'client backend' AND pid <> pg_backend_pid()", connection);
            command.Parameters.AddWithValue("db", database);
            sessions = (long)(await command.ExecuteScalarAsync(Ct))!;
        }

        return sessions;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 600; i++)
        {
            if (await condition())
                return;
            await Task.Delay(25);
        }

        throw new TimeoutException("what the test waits for never happened");
    }

    [Fact]
    public async Task A_target_name_with_quotes_and_equals_signs_is_a_database_name_not_a_connection_string()
    {
        await using var database = await TestDatabase.CreateAsync("oddname", "CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2);");
        await using var repo = await TestRepository.CreateLocalAsync();
        var target = database.Companion("x' host=nowhere dbname=\"y\"");
        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);

        var result = await new PostgresDumpRestore(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), manifest, new RestoreOptions(target), Ct);

        Assert.True(result.Verified);
        Assert.Equal(await DatabaseFingerprint.TakeAsync(database.Name), await DatabaseFingerprint.TakeAsync(target));
    }

    [Fact]
    public async Task Child_processes_never_see_lifeboat_settings_or_the_variables_secrets_were_read_from()
    {
        await using var database = await TestDatabase.CreateAsync("envscrub", "CREATE TABLE t (x int);");
        await using var repo = await TestRepository.CreateLocalAsync();
        var dump = Path.Combine(repo.Directory, "child-env.txt");
        var config = repo.WriteConfig(database.SourceConfig("app") with { PostRestore = $"env > {dump}" });
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);

        var restore = await Infrastructure.Cli.RunAsync(
            new Dictionary<string, string?> { ["LIFEBOAT_PASSPHRASE"] = "do-not-leak", ["PGSERVICE"] = "elsewhere" },
            "--config", config, "restore", "postgres", "--target-db", database.Companion("restored"));

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        var environment = await File.ReadAllTextAsync(dump, Ct);
        Assert.DoesNotContain("LIFEBOAT_", environment, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-leak", environment, StringComparison.Ordinal);
        Assert.DoesNotContain("PGSERVICE", environment, StringComparison.Ordinal);
        Assert.Contains($"PGDATABASE={database.Name}_restored", environment, StringComparison.Ordinal);
        Assert.DoesNotContain(TestEnvironment.PgPassword, restore.Stdout + restore.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Latest_refuses_to_fall_back_to_an_older_backup_when_the_newest_manifest_is_damaged()
    {
        await using var database = await TestDatabase.CreateAsync("damagedlatest", "CREATE TABLE t (x int);");
        await using var repo = await TestRepository.CreateLocalAsync();
        var older = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        await Task.Delay(1100, Ct);
        var newer = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        var manifestPath = Path.Combine(repo.RepositoryPath, Lifeboat.Repository.BackupRepository.ManifestKey(newer));
        PostgresRestoreSafetyTests.FlipByte(manifestPath, new FileInfo(manifestPath).Length / 2);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() =>
            repo.Repository.FindBackupAsync("postgres", "db", "latest", Ct));

        Assert.Contains($"the newest backup {newer.Id} is damaged", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Remedy(RemedyAction.ChooseBackup, older.Id), error.Remedy);
        Assert.Equal(older.Id, (await repo.Repository.FindBackupAsync("postgres", "db", older.Id, Ct)).Id);
    }
}
