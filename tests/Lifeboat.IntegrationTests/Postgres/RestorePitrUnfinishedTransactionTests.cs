using Lifeboat.TestKit.Servers;
using Npgsql;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;
using static Lifeboat.IntegrationTests.Postgres.RestorePitrTargetsTests;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// Transactions end out of the order of their ids: one still running while later ones commit and are archived has no
/// commit or abort record, so recovery could never stop at it. It is refused before anything is written; once it ends
/// (here rolled back) recovery stops at its abort.
/// </summary>
public sealed class RestorePitrUnfinishedTransactionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_transaction_still_running_while_later_ones_are_archived_is_refused_and_recovered_to_once_it_aborted()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        await cluster.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one')", Ct);
        var backup = await BaseBackupAsync(config);

        await using var running = new NpgsqlConnection(cluster.ConnectionString());
        await running.OpenAsync(Ct);
        await using var open = new NpgsqlCommand("BEGIN; INSERT INTO t VALUES (2, 'running'); SELECT txid_current()::text", running);
        var xid = (string)(await open.ExecuteScalarAsync(Ct))!;
        await cluster.ExecuteAsync("INSERT INTO t VALUES (3, 'later')", Ct);
        await cluster.ExecuteAsync("INSERT INTO t VALUES (4, 'later still')", Ct);
        await SwitchAndWaitAsync(cluster);
        var target = Path.Combine(Path.GetDirectoryName(config)!, "recovered");

        var whileRunning = await RestoreAsync(config, target, "--target-xid", xid);

        Assert.Equal(2, whileRunning.ExitCode);
        Assert.Contains($"lifeboat: error: transaction {xid} has no commit or abort record in the WAL archived from base backup {backup} on", whileRunning.Stderr, StringComparison.Ordinal);
        Assert.Contains("it was still running where that WAL ends or when the server stopped", whileRunning.Stderr, StringComparison.Ordinal);
        Assert.Contains("the recoverable window on timeline 1 runs from ", whileRunning.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));

        await using (var rollback = new NpgsqlCommand("ROLLBACK", running))
            await rollback.ExecuteNonQueryAsync(Ct);
        var atAbort = await ChecksumAsync(cluster);
        await cluster.ExecuteAsync("INSERT INTO t VALUES (5, 'after the abort')", Ct);
        await SwitchAndWaitAsync(cluster);

        var (recovered, _) = await RecoverAsync(config, backup, ["--target-xid", xid]);
        await using (recovered)
            Assert.Equal(atAbort, await ChecksumAsync(recovered));
    }
}
