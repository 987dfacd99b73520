using System.Data;
using System.Diagnostics;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Postgres;
using Npgsql;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>The size estimate a backup and its dry run start from never waits behind another session's table lock, and holds none after.</summary>
public sealed class DumpSizeEstimateLockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Sql = """
        CREATE TABLE items (id int PRIMARY KEY, name text);
        INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g;
        CREATE TABLE tags (id int PRIMARY KEY);
        INSERT INTO tags SELECT generate_series(1, 5);
        """;

    [Fact]
    public async Task A_table_locked_by_another_session_is_estimated_from_statistics_and_named_within_seconds_and_the_snapshot_stays_usable()
    {
        await using var database = await TestDatabase.CreateAsync("estlocked", Sql);
        await database.ExecuteAsync("ANALYZE");
        await using var holder = await OpenAsync(database.Name);
        await using var held = await holder.BeginTransactionAsync(Ct);
        await ExecuteAsync(holder, "LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
        await using var connection = await OpenAsync(database.Name);
        await ExecuteAsync(connection, "SET lock_timeout = '5min'");
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, Ct);
        var clock = Stopwatch.StartNew();

        var (estimate, locked) = await SnapshotCatalog.DumpSizeEstimateAsync(connection, transaction, Ct);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the estimate took {clock.Elapsed}");
        Assert.Equal(["public.items"], locked);
        Assert.Equal(2, estimate.Tables);
        Assert.True(estimate.Initial > 0, "ANALYZE counted the pages; the estimate should use them");
        Assert.Equal("5min", await ScalarAsync(connection, "SHOW lock_timeout"));
        Assert.Equal(5L, await ScalarAsync(connection, "SELECT count(*) FROM tags"));
    }

    [Fact]
    public async Task Tables_nobody_locks_are_measured_and_the_estimate_keeps_no_lock_on_them()
    {
        await using var database = await TestDatabase.CreateAsync("estfree", Sql);
        await using var connection = await OpenAsync(database.Name);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, Ct);

        var (estimate, locked) = await SnapshotCatalog.DumpSizeEstimateAsync(connection, transaction, Ct);

        Assert.Null(locked);
        Assert.InRange(estimate.Initial, 1, 10_000_000);
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = pg_backend_pid() AND c.relname IN ('items', 'tags')"));
    }

    private static async Task<NpgsqlConnection> OpenAsync(string database)
    {
        var connection = new NpgsqlConnection(TestDatabase.ConnectionString(database));
        await connection.OpenAsync(Ct);
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(Ct);
    }
}
