using System.Globalization;
using Lifeboat.TestKit.Servers;
using Npgsql;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>A base backup taken while the application writes, as in production, recovers to an exact moment.</summary>
public sealed class BaseBackupUnderLoadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_base_backup_taken_under_write_load_recovers_to_a_later_moment_with_exactly_that_moments_content()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster, "--async --idle-exit 5 --spool-dir '{work}/spool'");
        await cluster.ExecuteAsync("CREATE TABLE t (id bigint PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 50000) g", Ct);

        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writer = WriteUntilStoppedAsync(cluster, stopWriting.Token);
        var backup = await AsServerUserAsync("--config", config, "backup", "postgres", "--physical", "--archive-timeout", "120");
        await stopWriting.CancelAsync();
        var written = await writer;
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.True(written > 0, "the writer wrote nothing while the backup ran");

        var atT1 = await ChecksumAsync(cluster);
        await Task.Delay(1100, Ct);
        var t1 = DateTimeOffset.Parse((await cluster.QueryValueAsync("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", Ct))!, CultureInfo.InvariantCulture);
        await Task.Delay(1100, Ct);
        await cluster.ExecuteAsync("DELETE FROM t WHERE id % 3 = 0; UPDATE t SET v = 'after T1' WHERE id % 7 = 0", Ct);
        var last = (await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!;
        await cluster.ExecuteAsync("SELECT pg_switch_wal()", Ct);
        await WaitUntilArchivedAsync(cluster, last);

        var dataDir = PrivatePostgres.NewDataDirectoryPath();
        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "pitr", "--data-dir", dataDir, "--target-time", t1.ToString("O", CultureInfo.InvariantCulture));
        Assert.True(restore.ExitCode == 0, restore.Stderr);
        await using var recovered = await PrivatePostgres.AdoptAsync(dataDir, Ct);
        await recovered.StartAsync(Ct);
        await WaitUntilAsync(() => recovered.QueryValueAsync("SELECT pg_is_in_recovery()::text", Ct).Result == "false", TimeSpan.FromSeconds(120));

        Assert.Equal(atT1, await ChecksumAsync(recovered));
    }

    /// <summary>Commits small transactions one after another until stopped, as an application does; returns how many.</summary>
    private static async Task<long> WriteUntilStoppedAsync(PrivatePostgres cluster, CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString());
        await connection.OpenAsync(Ct);
        var next = 1_000_000L;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await using var insert = new NpgsqlCommand("INSERT INTO t SELECT g, md5(g::text) FROM generate_series(@from, @from + 99) g; UPDATE t SET v = v || 'x' WHERE id = @id", connection);
                insert.Parameters.AddWithValue("from", next);
                insert.Parameters.AddWithValue("id", next % 50000 + 1);
                await insert.ExecuteNonQueryAsync(stop);
                next += 100;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped between or inside a statement: either way nothing half-committed remains.
        }

        return (next - 1_000_000L) / 100;
    }
}
