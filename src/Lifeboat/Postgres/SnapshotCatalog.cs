using Lifeboat.Repository;
using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>Reads what a dump's manifest records — versions, extensions, tables and exact row counts — inside one snapshot.</summary>
internal static class SnapshotCatalog
{
    // Extension member tables (spatial_ref_sys) are left out: the extension's own script fills them on restore.
    // Names and oids only: a size function locks the table, and a catalog read must never wait behind a migration.
    private const string UserTablesSql = """
        SELECT n.nspname, c.relname, c.oid
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 1, 2
        """;

    /// <summary>The server's version string and major version.</summary>
    public static async Task<(string Version, int Major)> ServerVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var text = (string)(await ScalarAsync(connection, "SHOW server_version", cancellationToken))!;
        var number = int.Parse((string)(await ScalarAsync(connection, "SHOW server_version_num", cancellationToken))!, System.Globalization.CultureInfo.InvariantCulture);
        return (text, number / 10000);
    }

    /// <summary>How long the size estimate waits for a table's lock before it takes the planner's statistics instead.</summary>
    private const int EstimateLockWaitMilliseconds = 2000;

    /// <summary>
    /// What pg_dump will write, guessed per table before it starts (<see cref="DumpSizeEstimate"/> refines the guess
    /// as the archive streams). pg_table_size would overshoot: it counts the free space and visibility maps and
    /// the TOAST index, which pg_dump never writes (40 KiB a table, more than many small tables hold), so only
    /// the heap and its TOAST data are taken, less the 28 bytes of tuple header and line pointer each row has on
    /// disk, of which 5 bytes of chunk header remain in the archive. Only the tables the dump and the counts lock
    /// anyway are looked at (materialised views are not: a REFRESH would hold the backup up for a progress bar).
    /// </summary>
    /// <remarks>
    /// Measuring a table's files takes its ACCESS SHARE lock, which waits behind a migration's ALTER TABLE or a
    /// LOCK TABLE for as long as they hold it. So it runs in a savepoint of <paramref name="transaction"/> with a
    /// short lock_timeout, and rolls back to it after, holding no lock; when a table is locked, the guess comes
    /// from pg_class's page counts (as of the last VACUUM or ANALYZE), which take no lock, and names the locked tables.
    /// </remarks>
    public static async Task<SizeEstimate> DumpSizeEstimateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        const string savepoint = "lifeboat_estimate";
        await transaction.SaveAsync(savepoint, cancellationToken);
        try
        {
            await ScalarAsync(connection, $"SET LOCAL lock_timeout = {EstimateLockWaitMilliseconds}", cancellationToken);
            var measured = await EstimateAsync(connection, MeasuredTableBytes, MeasuredLargeObjectBytes, cancellationToken);
            return new SizeEstimate(measured, LockedTables: null);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await transaction.RollbackAsync(savepoint, cancellationToken);
            var locked = await LockedTablesAsync(connection, cancellationToken);
            return new SizeEstimate(await EstimateAsync(connection, CountedTableBytes, CountedLargeObjectBytes, cancellationToken), locked);
        }
        finally
        {
            // Undoes the lock_timeout and lets go of the locks the sizes took; a failed query has already rolled back.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await transaction.RollbackAsync(savepoint, CancellationToken.None);
                await transaction.ReleaseAsync(savepoint, CancellationToken.None);
            }
        }
    }

    private const string MeasuredTableBytes =
        "pg_relation_size(c.oid) + coalesce(pg_relation_size(c.reltoastrelid), 0)";

    private const string CountedTableBytes =
        "(c.relpages::bigint + coalesce(toast.relpages, 0)::bigint) * current_setting('block_size')::bigint";

    private const string MeasuredLargeObjectBytes = "SELECT pg_relation_size('pg_largeobject')";

    private const string CountedLargeObjectBytes =
        "SELECT relpages::bigint * current_setting('block_size')::bigint FROM pg_class WHERE oid = 'pg_largeobject'::regclass";

    private static async Task<DumpSizeEstimate> EstimateAsync(NpgsqlConnection connection, string tableBytes, string largeObjectBytes, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT t.schema, t.name, greatest({tableBytes} - 23 * greatest(c.reltuples, 0)::bigint, 0)::bigint
            FROM ({UserTablesSql}) AS t(schema, name, oid)
            JOIN pg_class c ON c.oid = t.oid
            LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
            """;
        var tables = new Dictionary<(string Schema, string Table), long>();
        await using (var command = new NpgsqlCommand(sql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                tables[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
        }

        var largeObjects = (long)(await ScalarAsync(connection, largeObjectBytes, cancellationToken))!;
        return new DumpSizeEstimate(tables, largeObjects);
    }

    // ACCESS EXCLUSIVE is the one mode that keeps a reader out; a request still waiting for it already does too.
    private static async Task<IReadOnlyList<string>> LockedTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT DISTINCT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
            FROM pg_locks l
            JOIN pg_class c ON c.oid = l.relation
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid()
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY 1
            """;
        var names = new List<string>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>How many user tables the connection's database holds, counted as a backup of it would list them.</summary>
    public static async Task<int> CountUserTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        (int)(long)(await ScalarAsync(connection, $"SELECT count(*) FROM ({UserTablesSql}) AS t", cancellationToken))!;

    /// <summary>Installed extensions with versions and schemas.</summary>
    public static async Task<List<ExtensionInfo>> ExtensionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string sql = "SELECT e.extname, e.extversion, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY 1";
        var list = new List<ExtensionInfo>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            list.Add(new ExtensionInfo(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        return list;
    }

    /// <summary>Encoding and locale of the current database, so a restore recreates it alike.</summary>
    public static async Task<(string Encoding, string Collate, string CType)> DatabaseLocaleAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string sql = "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database WHERE datname = current_database()";
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetString(0), reader.GetString(1), reader.GetString(2));
    }

    /// <summary>Exact row counts of every user table and the number of large objects.</summary>
    public static Task<(List<TableRowCount> Tables, long LargeObjects)> CountRowsAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        CountRowsAsync([connection], counted: null, cancellationToken);

    /// <summary>
    /// The same, with the tables shared out among <paramref name="connections"/> (all to one database), each
    /// taking the next uncounted table when it is done with one; tables in <paramref name="counted"/> are taken as counted.
    /// </summary>
    public static async Task<(List<TableRowCount> Tables, long LargeObjects)> CountRowsAsync(
        IReadOnlyList<NpgsqlConnection> connections, IReadOnlyDictionary<(string Schema, string Table), long>? counted, CancellationToken cancellationToken)
    {
        var names = new List<(string Schema, string Table)>();
        var sizes = new List<long>();
        // The tables' sizes on disk, for a parallel restore to load the largest first; this transaction locks them anyway.
        const string sizesSql = $"SELECT t.schema, t.name, coalesce(pg_table_size(t.oid), 0) FROM ({UserTablesSql}) AS t(schema, name, oid) ORDER BY 1, 2";
        await using (var command = new NpgsqlCommand(sizesSql, connections[0]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                names.Add((reader.GetString(0), reader.GetString(1)));
                sizes.Add(reader.GetInt64(2));
            }
        }

        var rows = new long[names.Count];
        var next = -1;
        async Task CountOn(NpgsqlConnection connection)
        {
            for (var i = Interlocked.Increment(ref next); i < names.Count; i = Interlocked.Increment(ref next))
            {
                var (schema, table) = names[i];
                rows[i] = counted is not null && counted.TryGetValue((schema, table), out var known)
                    ? known
                    : await CountAsync(connection, schema, table, cancellationToken);
            }
        }

        await Task.WhenAll(connections.Select(CountOn));
        var largeObjects = (long)(await ScalarAsync(connections[0], "SELECT count(*) FROM pg_largeobject_metadata", cancellationToken))!;
        return (names.Select((n, i) => new TableRowCount(n.Schema, n.Table, rows[i]) { Bytes = sizes[i] }).ToList(), largeObjects);
    }

    /// <summary>The exact number of rows in one table, its partitions or children not included.</summary>
    public static async Task<long> CountAsync(NpgsqlConnection connection, string schema, string table, CancellationToken cancellationToken) =>
        (long)(await ScalarAsync(connection, $"SELECT count(*) FROM ONLY {Quote(schema)}.{Quote(table)}", cancellationToken))!;

    /// <summary>How long Lifeboat's sessions and pg_dump wait for a table lock before failing instead of hanging.</summary>
    /// <remarks>
    /// The counting transaction holds ACCESS SHARE locks while pg_dump runs; a migration's ALTER TABLE queued
    /// between them would otherwise wait on us while pg_dump waits on it, a cycle the server cannot see.
    /// </remarks>
    public static readonly TimeSpan LockWait = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Lifts server-side timeouts from a session, as pg_dump does for its own: a production statement_timeout
    /// must not kill a count, nor idle_in_transaction_session_timeout the snapshot while pg_dump streams.
    /// </summary>
    public static async Task DisableTimeoutsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var lockWait = (long)LockWait.TotalMilliseconds;
        await using var command = new NpgsqlCommand(
            $"SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0; SET lock_timeout = {lockWait}", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Quotes an identifier the way PostgreSQL does.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Runs a query returning one value.</summary>
    public static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
