using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Postgres;

namespace Lifeboat.IntegrationTests.Postgres;

public sealed class PostgresBackupFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task AssertNoBackupRecordedAsync(TestRepository repo)
    {
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task A_missing_pg_dump_is_a_clear_error_and_records_no_backup()
    {
        await using var database = await TestDatabase.CreateAsync("nodump");
        await using var repo = await TestRepository.CreateLocalAsync();
        var emptyBin = Directory.CreateDirectory(Path.Combine(repo.Directory, "bin")).FullName;

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() =>
            new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source() with { BinDir = emptyBin }, Ct));

        Assert.Equal($"pg_dump was not found in {emptyBin}", error.Message);
        await AssertNoBackupRecordedAsync(repo);
    }

    [Fact]
    public async Task A_pg_dump_older_than_the_server_is_refused_and_records_no_backup()
    {
        await using var database = await TestDatabase.CreateAsync("olddump");
        await using var repo = await TestRepository.CreateLocalAsync();
        // A stand-in that only answers --version, as an old client would: the check must stop before any dump runs.
        var bin = Directory.CreateDirectory(Path.Combine(repo.Directory, "bin")).FullName;
        var fake = Path.Combine(bin, "pg_dump");
        await File.WriteAllTextAsync(fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 12.22'\n", Ct);
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() =>
            new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source() with { BinDir = bin }, Ct));

        Assert.Contains("is version 12, older than the server", error.Message, StringComparison.Ordinal);
        Assert.Contains("postgresql-client-15", error.Hint, StringComparison.Ordinal);
        Assert.Equal(new Remedy(RemedyAction.PointAtClientTools, "postgres"), error.Remedy);
        await AssertNoBackupRecordedAsync(repo);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_clear_error_and_records_no_backup()
    {
        await using var database = await TestDatabase.CreateAsync("unreach");
        await using var repo = await TestRepository.CreateLocalAsync();

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() =>
            new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source() with { Port = 1 }, Ct));

        Assert.StartsWith("cannot reach PostgreSQL at 127.0.0.1:1", error.Message, StringComparison.Ordinal);
        await AssertNoBackupRecordedAsync(repo);
    }

    [Fact]
    public async Task A_wrong_password_is_a_clear_error_and_records_no_backup()
    {
        await using var database = await TestDatabase.CreateAsync("badpass");
        await using var repo = await TestRepository.CreateLocalAsync();

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() =>
            new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source() with { Password = "wrong" }, Ct));

        Assert.Contains($"rejected user '{TestEnvironment.PgUser}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Remedy(RemedyAction.CheckSourcePassword, "postgres"), error.Remedy);
        await AssertNoBackupRecordedAsync(repo);
    }

    [Fact]
    public async Task A_pg_dump_that_fails_midway_leaves_no_manifest_and_no_visible_archive()
    {
        await using var database = await TestDatabase.CreateAsync("dumpfail", "CREATE TABLE t (x int); INSERT INTO t VALUES (1);");
        await using var repo = await TestRepository.CreateLocalAsync();
        // A wrapper that streams a little and then dies, as pg_dump does when the server goes away.
        var bin = Directory.CreateDirectory(Path.Combine(repo.Directory, "bin")).FullName;
        var fake = Path.Combine(bin, "pg_dump");
        await File.WriteAllTextAsync(fake, "#!/bin/sh\nif [ \"$1\" = --version ]; then exec /usr/bin/pg_dump --version; fi\nhead -c 100000 /dev/urandom\necho 'pg_dump: error: connection to server lost' >&2\nexit 1\n", Ct);
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() =>
            new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source() with { BinDir = bin }, Ct));

        Assert.Contains("connection to server lost", error.Message, StringComparison.Ordinal);
        await AssertNoBackupRecordedAsync(repo);
        var leftovers = new List<string>();
        await foreach (var info in repo.Repository.Store.ListAsync("postgres/", Ct))
            leftovers.Add(info.Key);
        Assert.Empty(leftovers);
    }
}
