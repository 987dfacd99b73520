using System.Text;
using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>
/// Keeps pg_restore's COPY out of each table until that table's data file is complete. One session holds a
/// SHARE lock on every table whose data is still arriving; COPY needs ROW EXCLUSIVE, so a pg_restore worker
/// waits in the server, before it opens the file, and goes on the moment the lock is let go.
/// </summary>
/// <remarks>
/// A transaction keeps its locks to its end, except those taken inside a savepoint it rolls back to. So each
/// lock is taken under a savepoint of its own, the last table to arrive first: rolling back to a table's
/// savepoint then releases that table and every one that arrived before it, and nothing still to come.
/// </remarks>
internal sealed class TableDataGate : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly List<ArchiveDataItem> _held;
    private readonly HashSet<int> _arrived = [];
    private int _released;

    private TableDataGate(NpgsqlConnection connection, List<ArchiveDataItem> held)
    {
        _connection = connection;
        _held = held;
    }

    /// <summary>
    /// Locks <paramref name="pending"/> (in the order their data will arrive) on <paramref name="connection"/>,
    /// which the gate then owns. Returns null, having closed the connection, when the locks cannot be taken
    /// or would be too many for the server's shared lock table.
    /// </summary>
    public static async Task<TableDataGate?> TryCloseAsync(NpgsqlConnection connection, IReadOnlyList<ArchiveDataItem> pending, CancellationToken cancellationToken)
    {
        // A server's idle_in_transaction_session_timeout would end the session, and with it the locks, while
        // the gate waits for the archive; the placeholders pg_restore would then read fail its COPY.
        var sql = new StringBuilder("SET idle_in_transaction_session_timeout = 0; SET statement_timeout = 0; SET lock_timeout = '10s'; BEGIN;");
        foreach (var item in pending.Reverse())
            sql.Append($" SAVEPOINT {SavepointOf(item)}; LOCK TABLE ONLY {SnapshotCatalog.Quote(item.Schema)}.{SnapshotCatalog.Quote(item.Table)} IN SHARE MODE;");
        try
        {
            if (pending.Count > await MostLocksAsync(connection, cancellationToken))
            {
                await connection.DisposeAsync();
                return null;
            }

            await using var command = new NpgsqlCommand(sql.ToString(), connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new TableDataGate(connection, [.. pending]);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync();
            return null;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // Every lock the gate holds takes a slot of the server's shared lock table, which all sessions share
    // (max_locks_per_transaction per connection); the gate takes at most four connections' worth.
    private static async Task<long> MostLocksAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        4 * long.Parse((string)(await SnapshotCatalog.ScalarAsync(connection, "SHOW max_locks_per_transaction", cancellationToken))!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Says <paramref name="item"/>'s file is complete; lets go of every table whose data has now all arrived.</summary>
    public async Task ArrivedAsync(ArchiveDataItem item, CancellationToken cancellationToken)
    {
        _arrived.Add(item.DumpId);
        var upTo = _released;
        while (upTo < _held.Count && _arrived.Contains(_held[upTo].DumpId))
            upTo++;
        if (upTo == _released)
            return;
        try
        {
            await using var command = new NpgsqlCommand($"ROLLBACK TO SAVEPOINT {SavepointOf(_held[upTo - 1])}", _connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            throw Lost(e);
        }

        _released = upTo;
    }

    /// <summary>Whether some table is still held back (its data not yet arrived).</summary>
    public bool HoldsTables => _released < _held.Count;

    /// <summary>
    /// False when the gate's session has ended (terminated by an administrator, or the server restarted); true
    /// while it answers, and also when it is merely slow to, since that proves nothing.
    /// </summary>
    public async Task<bool> IsHeldAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT 1", _connection) { CommandTimeout = 10 };
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is TimeoutException || e.InnerException is TimeoutException)
        {
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>What went wrong when the session holding the tables back ended early; <paramref name="inner"/> is what showed it.</summary>
    public static LifeboatException Lost(Exception inner) => new(
        "the PostgreSQL session that held pg_restore back from each table until its data had arrived was ended " +
        $"(by an administrator, a server restart or a connection drop: {inner.Message}); the target database was left untouched",
        "run the restore again",
        inner: inner)
    {
        Remedy = new(RemedyAction.RestoreWithOneJob),
    };

    /// <summary>Lets go of every table and closes the session.</summary>
    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private static string SavepointOf(ArchiveDataItem item) => $"lifeboat_gate_{item.DumpId}";
}
