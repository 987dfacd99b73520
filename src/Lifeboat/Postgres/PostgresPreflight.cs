using Lifeboat.Repository;
using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>
/// What a dump and a restore of one configured database need, looked at without taking either, as steps a front end
/// runs in order, each within its own time limit: the server answers these credentials, the user may read every table
/// as a dump reads it, a restore may build a staging database and swap it in, pg_dump and pg_restore are there and no
/// older than the server, the newest backup reads, and the spool directory of a parallel restore has room for it.
/// </summary>
/// <remarks>
/// Each step that talks to the server opens its own connection: a step abandoned at its time limit may still be
/// waiting on one, and the steps after it must not queue behind it.
/// </remarks>
public sealed class PostgresPreflight
{
    // Each query is small; a server that takes longer is as good as unreachable for a preflight.
    private const int QuerySeconds = 10;

    private readonly PostgresSource _source;
    private readonly BackupRepository? _repository;
    private readonly LifeboatException? _unusable;
    private readonly string _prefix;
    private PostgresServerVersion? _server;
    private long? _newestArchiveBytes;

    /// <summary>
    /// The preflight of <paramref name="source"/>, with the repository when it opened (null when it did not) for what
    /// only the backups can tell. <paramref name="unusable"/> says why the source cannot be connected to at all (its
    /// password is not set): the connection fails with it, and the steps that need one say they were skipped.
    /// </summary>
    public PostgresPreflight(PostgresSource source, BackupRepository? repository, LifeboatException? unusable = null)
    {
        _source = source;
        _repository = repository;
        _unusable = unusable;
        _prefix = $"{PostgresDumpBackup.SourceType}/{source.Name}";
    }

    /// <summary>The steps, in the order they must run: later ones use what earlier ones found.</summary>
    public IReadOnlyList<PreflightStep> Steps =>
    [
        new($"{_prefix} connection", ConnectionAsync),
        new($"{_prefix} permissions", PermissionsAsync),
        new($"{_prefix} restore", RestoreRightsAsync),
        new($"{_prefix} pg_dump", token => ToolAsync($"{_prefix} pg_dump", "pg_dump", "dump", token)),
        new($"{_prefix} pg_restore", token => ToolAsync($"{_prefix} pg_restore", "pg_restore", "restore into", token)),
        new($"{_prefix} newest backup", NewestBackupAsync),
        new($"{_prefix} spool space", _ => Task.FromResult(SpoolCheck($"{_prefix} spool space", _newestArchiveBytes))),
    ];

    private async Task<HealthCheck> ConnectionAsync(CancellationToken cancellationToken)
    {
        var name = $"{_prefix} connection";
        if (_unusable is not null)
            return HealthCheck.Failed(name, _unusable);
        NpgsqlConnection connection;
        try
        {
            connection = await PostgresConnector.OpenAsync(_source, _source.Database, cancellationToken);
        }
        catch (LifeboatException e)
        {
            return HealthCheck.Failed(name, e);
        }

        await using (connection)
        {
            try
            {
                var (text, major) = await SnapshotCatalog.ServerVersionAsync(connection, cancellationToken);
                _server = new PostgresServerVersion(text, major);
                return HealthCheck.Ok(name, $"connected to {_source.Describe()} as '{_source.User}', server {text}");
            }
            catch (NpgsqlException e)
            {
                return QueryFailed(name, $"connected to {_source.Describe()}, but the server did not say its version", e);
            }
        }
    }

    // pg_dump reads (and first locks) every table and sequence, with row security off: a table it may not read, or may
    // read only through row-level security, fails the whole dump.
    private async Task<HealthCheck> PermissionsAsync(CancellationToken cancellationToken)
    {
        var name = $"{_prefix} permissions";
        if (_server is null)
            return HealthCheck.Skip(name, "no connection");
        try
        {
            await using var connection = await PostgresConnector.OpenAsync(_source, _source.Database, cancellationToken);
            var unreadable = await NamedTablesAsync(connection, UnreadableSql, cancellationToken);
            var rowSecured = await NamedTablesAsync(connection, RowSecuredSql, cancellationToken);
            return DumpPermissions(name, _source.User, unreadable, rowSecured);
        }
        catch (LifeboatException e)
        {
            return HealthCheck.Failed(name, e);
        }
        catch (NpgsqlException e)
        {
            return QueryFailed(name, $"could not read the catalog of {_source.Describe()} to see what user '{_source.User}' may read", e);
        }
    }

    // A few tables named say enough to act on; the count says how many more there are.
    private const string UnreadableSql = """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), count(*) OVER ()
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'S')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
          AND NOT (has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'))
        ORDER BY 1
        LIMIT 5
        """;

    // Row-level security binds a table's readers unless they are a superuser or BYPASSRLS, or own the table (through
    // their roles) and it does not FORCE it on its owner. Tables the user may not read at all are named above.
    private const string RowSecuredSql = """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), count(*) OVER ()
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND c.relrowsecurity
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
          AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
          AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE'))
          AND NOT EXISTS (SELECT FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls))
        ORDER BY 1
        LIMIT 5
        """;

    /// <summary>The permissions check of a dump: <paramref name="unreadable"/> and <paramref name="rowSecured"/> are the tables found (a few named, and how many).</summary>
    internal static HealthCheck DumpPermissions(string name, string user, NamedTables unreadable, NamedTables rowSecured)
    {
        if (unreadable.Count == 0 && rowSecured.Count == 0)
            return HealthCheck.Ok(name, $"user '{user}' may read every table, as a dump reads them");
        var problems = new List<string>();
        var hints = new List<string>();
        if (unreadable.Count > 0)
        {
            problems.Add($"user '{user}' may not read {unreadable.Count} table(s) a dump must read: {unreadable}");
            hints.Add("grant the user SELECT on them and USAGE on their schemas, or connect as their owner");
        }

        if (rowSecured.Count > 0)
        {
            problems.Add($"user '{user}' may read {rowSecured.Count} table(s) only through row-level security, which a dump turns off, so the dump would fail: {rowSecured}");
            hints.Add($"ALTER ROLE {Quoted(user)} BYPASSRLS, or connect as the tables' owner (a table that forces row security on its owner needs BYPASSRLS or a superuser)");
        }

        return new HealthCheck(name, HealthStatus.Fail, string.Join("; ", problems)) { Hint = string.Join("; ", hints) };
    }

    // A restore builds a staging database from the maintenance database, then renames the target aside and drops it:
    // it must reach that database, may create databases, and must own the target (ALTER DATABASE RENAME and DROP
    // DATABASE are its owner's; RENAME also wants CREATEDB).
    private async Task<HealthCheck> RestoreRightsAsync(CancellationToken cancellationToken)
    {
        var name = $"{_prefix} restore";
        if (_server is null)
            return HealthCheck.Skip(name, "no connection");
        string? maintenanceRefused = null;
        NpgsqlConnection connection;
        try
        {
            connection = await PostgresConnector.OpenAsync(_source, DatabaseAdmin.MaintenanceDatabase, cancellationToken);
        }
        catch (LifeboatException e)
        {
            maintenanceRefused = e.Message.TrimEnd('.', ' ');
            // The roles and databases are the same from any database of the server.
            try
            {
                connection = await PostgresConnector.OpenAsync(_source, _source.Database, cancellationToken);
            }
            catch (LifeboatException again)
            {
                return HealthCheck.Failed(name, again);
            }
        }

        await using (connection)
        {
            try
            {
                var rights = await RestoreRights.ReadAsync(connection, _source.Database, QuerySeconds, cancellationToken) with { MaintenanceRefused = maintenanceRefused };
                return rights.Check(name, _source.User, _source.Database);
            }
            catch (NpgsqlException e)
            {
                return QueryFailed(name, $"could not read what user '{_source.User}' may do on {_source.Host}:{_source.Port}", e);
            }
        }
    }

    private async Task<HealthCheck> ToolAsync(string name, string tool, string verb, CancellationToken cancellationToken)
    {
        try
        {
            return ToolCheck(name, verb, (await PgTool.LocateAsync(tool, _source.BinDir, cancellationToken), null), _server);
        }
        catch (LifeboatException e)
        {
            return ToolCheck(name, verb, (null, e), _server);
        }
    }

    /// <summary>The check of a located tool (or the error locating it) against the server's version, when that is known.</summary>
    internal static HealthCheck ToolCheck(string name, string verb, (PgTool? Tool, LifeboatException? Error) located, PostgresServerVersion? server)
    {
        if (located.Error is { } error)
            return HealthCheck.Failed(name, error);
        var tool = located.Tool!;
        if (server is null)
            return HealthCheck.Ok(name, $"{tool.Path}, version {tool.Major}; not compared with the server's, which is unknown without a connection");
        if (tool.Serves(server.Major))
            return HealthCheck.Ok(name, $"{tool.Path}, version {tool.Major}, no older than the server's {server.Major}");
        return new HealthCheck(name, HealthStatus.Fail, $"{tool.Path} is version {tool.Major}, older than the server ({server.Text}): it cannot {verb} a newer server")
        {
            Hint = $"install postgresql-client-{server.Major}",
            Remedy = new(RemedyAction.PointAtClientTools, PostgresDumpBackup.SourceType),
        };
    }

    // The newest dump is the one a restore at 3 a.m. would take, and spool.
    private async Task<HealthCheck> NewestBackupAsync(CancellationToken cancellationToken)
    {
        var name = $"{_prefix} newest backup";
        if (_repository is null)
            return HealthCheck.Skip(name, "the repository did not open");
        var (check, newest) = await NewestBackupCheck.RunAsync(name, _repository, PostgresDumpBackup.SourceType, _source.Name, cancellationToken, PostgresDumpBackup.Kind);
        _newestArchiveBytes = newest?.SizeBytes;
        return check;
    }

    /// <summary>
    /// Whether <paramref name="directory"/>, with <paramref name="freeBytes"/> free (null: unknown), can hold the spool of
    /// a parallel restore of an archive of <paramref name="archiveBytes"/> (null: no backup to size it by, so only a floor is asked).
    /// </summary>
    internal static HealthCheck SpoolRoom(string name, string directory, long? freeBytes, long? archiveBytes)
    {
        if (freeBytes is not { } free)
            return new HealthCheck(name, HealthStatus.Warn, $"cannot tell how much space is free in {directory}") { Hint = "check that the directory exists and is readable" };
        var needed = archiveBytes ?? SpoolFloorBytes;
        var what = archiveBytes is null ? "(no backup to size the spool by)" : $"for the newest backup's {ByteCount.Format(needed)} archive, which a parallel restore spools there";
        if (free >= needed)
            return HealthCheck.Ok(name, $"{ByteCount.Format(free)} free in {directory} {what}");
        return new HealthCheck(name, HealthStatus.Warn, $"only {ByteCount.Format(free)} free in {directory}, less than the {ByteCount.Format(needed)} {(archiveBytes is null ? "a restore should have" : "the newest backup's archive takes when a parallel restore spools it there")}")
        {
            Hint = $"free space in {directory}, or set TMPDIR to a directory on a larger file system",
            Remedy = new(RemedyAction.SpoolElsewhere),
        };
    }

    /// <summary>The least free space a spool directory should have before any backup tells how much it needs.</summary>
    internal const long SpoolFloorBytes = 1L << 30;

    private static HealthCheck SpoolCheck(string name, long? archiveBytes)
    {
        var directory = archiveBytes is { } bytes ? SpoolPlace.Choose(bytes) : Path.GetTempPath();
        return SpoolRoom(name, Path.TrimEndingDirectorySeparator(directory), FreeBytes(directory), archiveBytes);
    }

    private static long? FreeBytes(string directory)
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>A query the server refused or did not answer, as the failed check <paramref name="name"/>: never an unexpected error.</summary>
    internal static HealthCheck QueryFailed(string name, string doing, NpgsqlException error) => error switch
    {
        PostgresException e => new HealthCheck(name, HealthStatus.Fail, $"{doing}: {e.MessageText}")
        {
            Hint = e.SqlState == PostgresErrorCodes.InsufficientPrivilege
                ? "grant the user what the message names, or connect as a user that has it"
                : "see the server's log for why it refused the query",
        },
        _ when error.InnerException is TimeoutException => new HealthCheck(name, HealthStatus.Fail, $"{doing}: no answer within {QuerySeconds} s")
        {
            Hint = "check that the server is not overloaded or blocked",
        },
        _ => new HealthCheck(name, HealthStatus.Fail, $"{doing}: {error.Message}") { Hint = "check the server and the network to it" },
    };

    internal static string Quoted(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static async Task<NamedTables> NamedTablesAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = QuerySeconds };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var named = new List<string>();
        long count = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            named.Add(reader.GetString(0));
            count = reader.GetInt64(1);
        }

        return new NamedTables(named, count);
    }
}
