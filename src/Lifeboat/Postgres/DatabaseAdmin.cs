using System.Security.Cryptography;
using System.Text;
using Lifeboat.Repository;
using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>Whole-database operations on a server's maintenance connection: exists, create, rename, drop.</summary>
internal static class DatabaseAdmin
{
    /// <summary>PostgreSQL's identifier limit, in bytes.</summary>
    private const int MaxNameBytes = 63;

    /// <summary>The database a restore connects to while it creates, renames and drops others.</summary>
    public const string MaintenanceDatabase = "postgres";

    private static readonly string[] Reserved = [MaintenanceDatabase, "template0", "template1"];

    /// <summary>Rejects targets a restore must never replace or cannot name.</summary>
    public static void ValidateTarget(string target)
    {
        if (Reserved.Contains(target, StringComparer.Ordinal))
        {
            throw new LifeboatException(
                $"'{target}' cannot be a restore target: it is one of the server's own databases",
                kind: FailureKind.Usage)
            {
                Remedy = new(RemedyAction.ChooseTargetDatabase),
            };
        }

        if (target.Length == 0 || Encoding.UTF8.GetByteCount(target) > MaxNameBytes || target.Contains('\0', StringComparison.Ordinal))
        {
            throw new LifeboatException(
                $"'{target}' is not a usable database name (1 to {MaxNameBytes} bytes)",
                kind: FailureKind.Usage)
            {
                Remedy = new(RemedyAction.ChooseTargetDatabase),
            };
        }
    }

    /// <summary>A fresh name derived from <paramref name="target"/>, e.g. dev_platform_lbrestore_1a2b3c4d, within 63 bytes.</summary>
    public static string DerivedName(string target, string tag)
    {
        var suffix = $"_{tag}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var budget = MaxNameBytes - suffix.Length;
        var prefix = new StringBuilder();
        var used = 0;
        foreach (var rune in target.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > budget)
                break;
            prefix.Append(rune.ToString());
            used += rune.Utf8SequenceLength;
        }

        return prefix + suffix;
    }

    public static async Task<bool> ExistsAsync(NpgsqlConnection admin, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", admin);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>The database <paramref name="name"/> as it is now (its size, and its tables when it can be connected to); null when there is none.</summary>
    public static async Task<ExistingDatabase?> DescribeAsync(NpgsqlConnection admin, PostgresSource source, string name, CancellationToken cancellationToken)
    {
        // pg_database_size refuses a database the user may not connect to; its size is then unknown, not an error.
        const string sql = """
            SELECT CASE WHEN has_database_privilege(oid, 'CONNECT') THEN pg_database_size(oid) END
            FROM pg_database WHERE datname = $1
            """;
        await using var command = new NpgsqlCommand(sql, admin);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        long? size;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
                return null;
            size = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        }

        return new ExistingDatabase(size, await CountTablesAsync(source, name, cancellationToken));
    }

    // A database that refuses connections (ALLOW_CONNECTIONS false, no CONNECT privilege) still has a size to show.
    private static async Task<int?> CountTablesAsync(PostgresSource source, string name, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await PostgresConnector.OpenAsync(source, name, cancellationToken);
            return await SnapshotCatalog.CountUserTablesAsync(connection, cancellationToken);
        }
        catch (LifeboatException)
        {
            return null;
        }
    }

    /// <summary>Creates an empty database with the dumped database's encoding and locale.</summary>
    public static Task CreateAsync(NpgsqlConnection admin, string name, PostgresDumpInfo info, CancellationToken cancellationToken) =>
        ExecuteAsync(admin, $"CREATE DATABASE {SnapshotCatalog.Quote(name)} TEMPLATE template0 ENCODING {Literal(info.Encoding)} LC_COLLATE {Literal(info.Collate)} LC_CTYPE {Literal(info.CType)}", cancellationToken);

    public static Task DropAsync(NpgsqlConnection admin, string name, CancellationToken cancellationToken) =>
        ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {SnapshotCatalog.Quote(name)} WITH (FORCE)", cancellationToken);

    public static Task RenameAsync(NpgsqlConnection admin, string from, string to, CancellationToken cancellationToken) =>
        ExecuteAsync(admin, $"ALTER DATABASE {SnapshotCatalog.Quote(from)} RENAME TO {SnapshotCatalog.Quote(to)}", cancellationToken);

    public static Task AllowConnectionsAsync(NpgsqlConnection admin, string name, bool allow, CancellationToken cancellationToken) =>
        ExecuteAsync(admin, $"ALTER DATABASE {SnapshotCatalog.Quote(name)} ALLOW_CONNECTIONS {(allow ? "true" : "false")}", cancellationToken);

    /// <summary>Ends every other session on <paramref name="name"/>, as the plan's §4.1 step 5 does.</summary>
    public static async Task TerminateSessionsAsync(NpgsqlConnection admin, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", admin);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        await command.ExecuteScalarAsync(cancellationToken);
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
