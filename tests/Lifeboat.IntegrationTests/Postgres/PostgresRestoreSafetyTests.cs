using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Postgres;

namespace Lifeboat.IntegrationTests.Postgres;

public sealed class PostgresRestoreSafetyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string SmallSql = """
        CREATE TABLE items (id int PRIMARY KEY, name text);
        INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g;
        """;

    [Fact]
    public async Task Restoring_over_an_existing_database_without_force_is_refused_and_leaves_it_unchanged()
    {
        await using var database = await TestDatabase.CreateAsync("live", SmallSql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        await database.ExecuteAsync("INSERT INTO items VALUES (1000, 'written after the backup')");
        var before = await DatabaseFingerprint.TakeAsync(database.Name);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() =>
            new PostgresDumpRestore(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), manifest, new RestoreOptions(), Ct));

        Assert.Contains($"database '{database.Name}' already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Remedy(RemedyAction.RestoreElsewhereOrReplace), error.Remedy);
        Assert.Equal(before, await DatabaseFingerprint.TakeAsync(database.Name));
    }

    [Fact]
    public async Task Restoring_with_force_replaces_the_existing_database_with_the_backup()
    {
        await using var database = await TestDatabase.CreateAsync("force", SmallSql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var atBackup = await DatabaseFingerprint.TakeAsync(database.Name);
        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        await database.ExecuteAsync("DELETE FROM items WHERE id > 50; CREATE TABLE stray (x int)");

        var result = await new PostgresDumpRestore(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), manifest, new RestoreOptions(Force: true), Ct);

        Assert.True(result.Verified);
        Assert.Equal(atBackup, await DatabaseFingerprint.TakeAsync(database.Name));
        Assert.Empty(await TestDatabase.StagingDatabasesAsync(database.Name));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_corrupted_archive_fails_the_restore_naming_the_object_and_a_forced_target_survives_untouched(int jobs)
    {
        await using var database = await TestDatabase.CreateAsync("corrupt", SmallSql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        var archive = manifest.Objects.Single();
        FlipByte(Path.Combine(repo.RepositoryPath, archive.Key), archive.StoredBytes / 2);
        var before = await DatabaseFingerprint.TakeAsync(database.Name);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() =>
            new PostgresDumpRestore(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), manifest, new RestoreOptions(Force: true, Jobs: jobs), Ct));

        Assert.Contains(archive.Key, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await DatabaseFingerprint.TakeAsync(database.Name));
        Assert.Empty(await TestDatabase.StagingDatabasesAsync(database.Name));
    }

    [Fact]
    public async Task A_parallel_restore_that_meets_damage_after_loading_began_stops_and_leaves_the_target_and_spool_clean()
    {
        // Random text barely compresses, so the archive spans several 1 MiB chunks and the damage lies past
        // the first table, which pg_restore is already loading when the damaged chunk is reached.
        await using var database = await TestDatabase.CreateAsync("midway", """
            CREATE TABLE first_table (id int PRIMARY KEY, body text);
            INSERT INTO first_table SELECT g, md5(random()::text) || md5(random()::text) FROM generate_series(1, 40000) g;
            CREATE TABLE second_table (id int PRIMARY KEY, body text);
            INSERT INTO second_table SELECT g, md5(random()::text) || md5(random()::text) FROM generate_series(1, 40000) g;
            """);
        await using var repo = await TestRepository.CreateLocalAsync();
        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        var archive = manifest.Objects.Single();
        Assert.True(archive.StoredBytes > 2 << 20, $"the archive is only {archive.StoredBytes} bytes");
        FlipByte(Path.Combine(repo.RepositoryPath, archive.Key), archive.StoredBytes * 3 / 4);
        var before = await DatabaseFingerprint.TakeAsync(database.Name);
        var spool = Directory.CreateTempSubdirectory("lifeboat-spool-").FullName;

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() =>
            new PostgresDumpRestore(repo.Repository, SilentReporter.Instance).RunAsync(
                database.Source(), manifest, new RestoreOptions(Force: true, Jobs: 2, SpoolDirectory: spool), Ct));

        Assert.Contains(archive.Key, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await DatabaseFingerprint.TakeAsync(database.Name));
        Assert.Empty(await TestDatabase.StagingDatabasesAsync(database.Name));
        Assert.Empty(Directory.GetFileSystemEntries(spool));
        Directory.Delete(spool);
    }

    internal static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var value = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(value ^ 0x5a));
    }
}
