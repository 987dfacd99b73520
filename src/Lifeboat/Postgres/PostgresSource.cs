using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>One configured PostgreSQL database, with its password already resolved from the environment.</summary>
public sealed record PostgresSource
{
    /// <summary>The name backups are filed under.</summary>
    public required string Name { get; init; }

    /// <summary>Server host.</summary>
    public string Host { get; init; } = "localhost";

    /// <summary>Server port.</summary>
    public int Port { get; init; } = 5432;

    /// <summary>Database to back up.</summary>
    public required string Database { get; init; }

    /// <summary>User to connect as.</summary>
    public required string User { get; init; }

    /// <summary>Password, or null to rely on .pgpass or trust.</summary>
    public string? Password { get; init; }

    /// <summary>Directory of pg_dump/pg_restore, or null to search PATH.</summary>
    public string? BinDir { get; init; }

    /// <summary>A shell command run after a restore (the plan's alembic step), or null.</summary>
    public string? PostRestore { get; init; }

    /// <summary>host:port/database, for messages.</summary>
    public string Describe(string? database = null) => $"{Host}:{Port}/{database ?? Database}";

    /// <summary>A connection string for <paramref name="database"/>; pooling is off so dropped and renamed databases have no lingering sessions.</summary>
    internal string ConnectionString(string database)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = database,
            Username = User,
            Password = Password,
            Pooling = false,
            Timeout = 10,
            CommandTimeout = 0,
            ApplicationName = "lifeboat",
        };
        return builder.ConnectionString;
    }

    /// <summary>The libpq environment for child tools: the password travels here, never on a command line.</summary>
    internal Dictionary<string, string?> ToolEnvironment(string database)
    {
        var environment = new Dictionary<string, string?>
        {
            ["PGHOST"] = Host,
            ["PGPORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = User,
            ["PGDATABASE"] = database,
            ["PGCONNECT_TIMEOUT"] = "10",
            ["PGAPPNAME"] = "lifeboat",
        };
        if (Password is not null)
            environment["PGPASSWORD"] = Password;
        return environment;
    }
}
