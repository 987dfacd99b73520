using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Postgres;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>What the progress bars are told by a real pg_dump and pg_restore: an estimate that ends at the archive's size, items that reach their total.</summary>
public sealed class ProgressReportingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_backup_s_size_estimate_ends_at_the_size_pg_dump_wrote()
    {
        await using var database = await TestDatabase.CreateAsync("estimate", RichDatabase.Tables);
        await using var repo = await TestRepository.CreateLocalAsync();
        var reporter = new Recorder();

        var manifest = await new PostgresDumpBackup(repo.Repository, reporter).RunAsync(database.Source(), Ct);

        var dump = Assert.Single(reporter.Transfers);
        Assert.True(dump.Estimated);
        Assert.Equal(manifest.SizeBytes, dump.LastValue);
        Assert.Equal(manifest.SizeBytes, dump.LastTotal);
    }

    [Fact]
    public async Task A_parallel_restore_counts_its_tables_indexes_and_constraints_up_to_their_total_after_the_decryption()
    {
        await using var database = await TestDatabase.CreateAsync("items", RichDatabase.Tables);
        await using var repo = await TestRepository.CreateLocalAsync();
        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        var reporter = new Recorder();

        await new PostgresDumpRestore(repo.Repository, reporter).RunAsync(database.Source(), manifest, new RestoreOptions(database.Companion("restored"), Jobs: 2), Ct);

        var items = Assert.Single(reporter.Items);
        Assert.Equal("pg_restore --jobs 2", items.Description);
        Assert.True(items.Total > PostgresDumpInfo.Of(manifest).Tables.Count, $"{items.Total} items counted for {PostgresDumpInfo.Of(manifest).Tables.Count} tables and their indexes");
        Assert.Equal(new ItemsDone(items.Total, PgRestoreItemProgress.Finished), items.Reports[^1]);
        Assert.Contains(items.Reports, r => r.Phase == PgRestoreItemProgress.LoadingTables);
        Assert.Contains(items.Reports, r => r.Phase == PgRestoreItemProgress.BuildingIndexes);
    }

    [Fact]
    public async Task A_parallel_restore_of_a_database_without_tables_counts_none_of_none_and_finishes()
    {
        await using var database = await TestDatabase.CreateAsync("noitems", "CREATE VIEW answer AS SELECT 42 AS value");
        await using var repo = await TestRepository.CreateLocalAsync();
        var manifest = await new PostgresDumpBackup(repo.Repository, SilentReporter.Instance).RunAsync(database.Source(), Ct);
        var reporter = new Recorder();

        await new PostgresDumpRestore(repo.Repository, reporter).RunAsync(database.Source(), manifest, new RestoreOptions(database.Companion("restored"), Jobs: 2), Ct);

        var items = Assert.Single(reporter.Items);
        Assert.Equal(0, items.Total);
        Assert.Equal(new ItemsDone(0, PgRestoreItemProgress.Finished), items.Reports[^1]);
    }

    /// <summary>Keeps every task started and every report made to it.</summary>
    private sealed class Recorder : IActivityReporter
    {
        public List<Transfer> Transfers { get; } = [];

        public List<ItemsTask> Items { get; } = [];

        public void Event(string message) { }

        public void Warning(string message) { }

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false)
        {
            var transfer = new Transfer(description, estimated) { LastTotal = totalBytes };
            lock (Transfers)
                Transfers.Add(transfer);
            return transfer;
        }

        public IProgress<ItemsDone> StartItems(string description, int totalItems)
        {
            var task = new ItemsTask(description, totalItems);
            lock (Items)
                Items.Add(task);
            return task;
        }
    }

    private sealed class Transfer(string description, bool estimated) : ITransferProgress
    {
        public string Description => description;

        public bool Estimated => estimated;

        public long? LastTotal { get; set; }

        public long LastValue { get; private set; }

        public void Report(long value) => LastValue = value;

        public void Reestimate(long totalBytes) => LastTotal = totalBytes;
    }

    private sealed class ItemsTask(string description, int total) : IProgress<ItemsDone>
    {
        public string Description => description;

        public int Total => total;

        public List<ItemsDone> Reports { get; } = [];

        public void Report(ItemsDone value)
        {
            lock (Reports)
                Reports.Add(value);
        }
    }
}
