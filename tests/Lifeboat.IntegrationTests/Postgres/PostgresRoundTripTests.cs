using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Postgres;

namespace Lifeboat.IntegrationTests.Postgres;

public sealed class PostgresRoundTripTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_restored_database_equals_the_original_table_by_table_sequence_by_sequence_and_large_object_by_large_object()
    {
        await using var database = await TestDatabase.CreateAsync("rich", RichDatabase.Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var target = database.Companion("restored");

        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        var result = await new PostgresDumpRestore(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), manifest, new RestoreOptions(target), Ct);

        Assert.True(result.Verified);
        Assert.Equal(await DatabaseFingerprint.TakeAsync(database.Name), await DatabaseFingerprint.TakeAsync(target));
        Assert.Contains(PostgresDumpInfo.Of(manifest).Tables, t => t is { Schema: "Geo Data", Table: "Parcels", Rows: 500 });
        Assert.Equal(2, PostgresDumpInfo.Of(manifest).LargeObjects);
        Assert.NotNull(PostgresDumpInfo.Of(manifest).PostgisVersion);
    }

    [Fact]
    public async Task A_backup_in_an_S3_repository_restores_to_the_same_data()
    {
        await using var database = await TestDatabase.CreateAsync("s3rt", RichDatabase.Sql);
        await using var repo = await TestRepository.CreateS3Async();
        var target = database.Companion("restored");

        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        await new PostgresDumpRestore(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), manifest, new RestoreOptions(target), Ct);

        Assert.Equal(await DatabaseFingerprint.TakeAsync(database.Name), await DatabaseFingerprint.TakeAsync(target));
    }

    [Fact]
    public async Task A_parallel_restore_loads_each_table_while_the_archive_is_still_arriving_and_restores_the_same_data()
    {
        await using var database = await TestDatabase.CreateAsync("jobs", RichDatabase.Tables);
        await using var repo = await TestRepository.CreateLocalAsync();
        var target = database.Companion("restored");
        var spool = Directory.CreateTempSubdirectory("lifeboat-spool-").FullName;

        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        var events = new EventLog();
        var result = await new PostgresDumpRestore(repo.Repository, events).RunAsync(database.Source(), manifest, new RestoreOptions(target, Jobs: 2, SpoolDirectory: spool), Ct);

        Assert.Equal(await DatabaseFingerprint.TakeAsync(database.Name), await DatabaseFingerprint.TakeAsync(target));
        Assert.True(result.Verified);
        Assert.Contains(events.Lines, line => line.Contains("restoring while the archive is decrypted", StringComparison.Ordinal));
        Assert.DoesNotContain(events.Lines, line => line.Contains("could not hold tables back", StringComparison.Ordinal));
        // Tables are counted as pg_restore reports their data loaded, beside its index builds.
        Assert.Contains(events.Lines, line => line.Contains("counted while pg_restore built indexes", StringComparison.Ordinal));
        Assert.All(PostgresDumpInfo.Of(manifest).Tables, t => Assert.NotNull(t.Bytes));
        Assert.Empty(Directory.GetFileSystemEntries(spool));
        Directory.Delete(spool);
    }

    [Fact]
    public async Task A_parallel_restore_of_a_backup_with_large_objects_spools_the_archive_whole_and_restores_the_same_data()
    {
        await using var database = await TestDatabase.CreateAsync("jobslo", RichDatabase.Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var target = database.Companion("restored");
        var spool = Directory.CreateTempSubdirectory("lifeboat-spool-").FullName;

        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        var events = new EventLog();
        var result = await new PostgresDumpRestore(repo.Repository, events).RunAsync(database.Source(), manifest, new RestoreOptions(target, Jobs: 2, SpoolDirectory: spool), Ct);

        Assert.Equal(await DatabaseFingerprint.TakeAsync(database.Name), await DatabaseFingerprint.TakeAsync(target));
        Assert.True(result.Verified);
        Assert.Contains(events.Lines, line => line.Contains("spooling the decrypted archive", StringComparison.Ordinal) && line.Contains("large objects", StringComparison.Ordinal));
        Assert.Contains(events.Lines, line => line.Contains("wrote the data offsets", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(spool));
        Directory.Delete(spool);
    }

    [Fact]
    public async Task A_backup_taken_while_the_application_writes_restores_to_exactly_the_counts_of_its_snapshot()
    {
        await using var database = await TestDatabase.CreateAsync("busy", """
            CREATE TABLE churn (id bigserial PRIMARY KEY, body text NOT NULL);
            INSERT INTO churn (body) SELECT repeat(md5(g::text), 20) FROM generate_series(1, 20000) g;
            CREATE TABLE ledger (id bigserial PRIMARY KEY, amount int NOT NULL);
            """);
        await using var repo = await TestRepository.CreateLocalAsync();
        var target = database.Companion("restored");
        using var stop = new CancellationTokenSource();
        var writer = WriteContinuouslyAsync(database.Name, stop.Token);

        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        await stop.CancelAsync();
        var writes = await writer;
        var result = await new PostgresDumpRestore(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), manifest, new RestoreOptions(target), Ct);

        Assert.True(writes > 0, "the writer made no writes during the backup");
        Assert.True(result.Verified);
        Assert.All(result.Tables, t => Assert.Equal(t.Expected, t.Actual));
    }

    private static async Task<int> WriteContinuouslyAsync(string database, CancellationToken stop)
    {
        await using var connection = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString(database));
        await connection.OpenAsync(CancellationToken.None);
        var writes = 0;
        while (!stop.IsCancellationRequested)
        {
            await using var command = new Npgsql.NpgsqlCommand("""
                INSERT INTO churn (body) SELECT md5(random()::text) FROM generate_series(1, 50);
                DELETE FROM churn WHERE id IN (SELECT id FROM churn ORDER BY random() LIMIT 20);
                INSERT INTO ledger (amount) VALUES (1);
                """, connection);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
            writes++;
        }

        return writes;
    }

    private sealed class EventLog : IActivityReporter
    {
        public List<string> Lines { get; } = [];

        public void Event(string message)
        {
            lock (Lines)
                Lines.Add(message);
        }

        public void Warning(string message) => Event(message);

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) => SilentReporter.Instance.StartTransfer(description, totalBytes, estimated);

        public IProgress<ItemsDone> StartItems(string description, int totalItems) => SilentReporter.Instance.StartItems(description, totalItems);
    }
}
