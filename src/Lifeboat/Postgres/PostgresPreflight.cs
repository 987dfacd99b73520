using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>
/// What a dump and a restore of one configured database need, looked at without taking either: the server answers
/// these credentials, the user may read every table and create the staging database, pg_dump and pg_restore are there
/// and no older than the server, and the spool directory of a parallel restore has room for the newest archive.
/// </summary>
public static class PostgresPreflight
{
    // Each query is small; a server that takes longer is as good as unreachable for a preflight.
    private const int QuerySeconds = 10;

    /// <summary>Runs every check of <paramref name="source"/>; <paramref name="newestArchiveBytes"/> is the size of its newest dump, null when there is none.</summary>
    public static async Task<IReadOnlyList<HealthCheck>> RunAsync(PostgresSource source, long? newestArchiveBytes, CancellationToken cancellationToken)
    {
        var prefix = $"{PostgresDumpBackup.SourceType}/{source.Name}";
        // The tools answer --version while the connection opens.
        var pgDump = LocateAsync("pg_dump", source.BinDir, cancellationToken);
        var pgRestore = LocateAsync("pg_restore", source.BinDir, cancellationToken);
        var checks = new List<HealthCheck>();
        var server = await CheckServerAsync(source, prefix, checks, cancellationToken);
        checks.Add(ToolCheck($"{prefix} pg_dump", "dump", await pgDump, server));
        checks.Add(ToolCheck($"{prefix} pg_restore", "restore into", await pgRestore, server));
        checks.Add(SpoolCheck($"{prefix} spool space", newestArchiveBytes));
        return checks;
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

    /// <summary>
    /// Whether <paramref name="directory"/>, with <paramref name="freeBytes"/> free (null: unknown), can hold the spool of
    /// a parallel restore of an archive of <paramref name="archiveBytes"/> (null: no backup yet, so only a floor is asked).
    /// </summary>
    internal static HealthCheck SpoolRoom(string name, string directory, long? freeBytes, long? archiveBytes)
    {
        if (freeBytes is not { } free)
            return new HealthCheck(name, HealthStatus.Warn, $"cannot tell how much space is free in {directory}") { Hint = "check that the directory exists and is readable" };
        var needed = archiveBytes ?? SpoolFloorBytes;
        var what = archiveBytes is null ? "(no backup to size the spool by: none yet, or the repository did not open)" : $"for the newest backup's {ByteCount.Format(needed)} archive, which a parallel restore spools there";
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

    private static async Task<(PgTool?, LifeboatException?)> LocateAsync(string name, string? binDir, CancellationToken cancellationToken)
    {
        try
        {
            return (await PgTool.LocateAsync(name, binDir, cancellationToken), null);
        }
        catch (LifeboatException e)
        {
            return (null, e);
        }
    }

    /// <summary>Adds the connection and permission checks; returns the server's version, or null when it did not answer.</summary>
    private static async Task<PostgresServerVersion?> CheckServerAsync(PostgresSource source, string prefix, List<HealthCheck> checks, CancellationToken cancellationToken)
    {
        var connectionCheck = $"{prefix} connection";
        var permissionsCheck = $"{prefix} permissions";
        NpgsqlConnection connection;
        try
        {
            connection = await PostgresConnector.OpenAsync(source, source.Database, cancellationToken);
        }
        catch (LifeboatException e)
        {
            checks.Add(HealthCheck.Failed(connectionCheck, e));
            checks.Add(HealthCheck.Skip(permissionsCheck, "no connection"));
            return null;
        }

        await using (connection)
        {
            var (text, major) = await SnapshotCatalog.ServerVersionAsync(connection, cancellationToken);
            checks.Add(HealthCheck.Ok(connectionCheck, $"connected to {source.Describe()} as '{source.User}', server {text}"));
            checks.Add(await PermissionsAsync(connection, source.User, permissionsCheck, cancellationToken));
            return new PostgresServerVersion(text, major);
        }
    }

    // pg_dump reads (and first locks) every table and sequence, so one it may not read fails the dump; a restore
    // creates a staging database and swaps it in, so the user must be allowed to create databases.
    private static async Task<HealthCheck> PermissionsAsync(NpgsqlConnection connection, string user, string name, CancellationToken cancellationToken)
    {
        // A few unreadable tables named say enough to act on; the count says how many more there are.
        const string unreadableSql = """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), count(*) OVER ()
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'S')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
              AND NOT (has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'))
            ORDER BY 1
            LIMIT 5
            """;
        var (unreadable, count) = await UnreadableAsync(connection, unreadableSql, cancellationToken);
        if (count > 0)
        {
            var more = count > unreadable.Count ? $" and {count - unreadable.Count} more" : "";
            return new HealthCheck(name, HealthStatus.Fail, $"user '{user}' may not read {count} table(s) a dump must read: {string.Join(", ", unreadable)}{more}")
            {
                Hint = "grant the user SELECT on them and USAGE on their schemas, or connect as their owner",
            };
        }

        await using var command = new NpgsqlCommand("SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user", connection) { CommandTimeout = QuerySeconds };
        if (await command.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return new HealthCheck(name, HealthStatus.Warn, $"user '{user}' may read every table, but may not create databases: a restore builds a staging database and swaps it in")
            {
                Hint = $"ALTER ROLE \"{user.Replace("\"", "\"\"", StringComparison.Ordinal)}\" CREATEDB, or restore with a user that may create databases",
            };
        }

        return HealthCheck.Ok(name, $"user '{user}' may read every table and create databases");
    }

    private static async Task<(List<string> Named, long Count)> UnreadableAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
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

        return (named, count);
    }
}
