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

    /// <summary>Whether and how every connection to the server uses TLS (libpq's sslmode); a Unix socket never does.</summary>
    public PostgresSslMode SslMode { get; init; } = PostgresSslMode.Prefer;

    /// <summary>The certificate authority file (PEM) the server's certificate must chain to when <see cref="SslMode"/> verifies it.</summary>
    public string? SslRootCertificate { get; init; }

    /// <summary>host:port/database, for messages.</summary>
    public string Describe(string? database = null) => $"{Host}:{Port}/{database ?? Database}";

    /// <summary>
    /// A connection string for <paramref name="database"/>; pooling is off so dropped and renamed databases have no
    /// lingering sessions. A verifying mode asks Npgsql only to require TLS: <see cref="PostgresConnector"/> checks the
    /// certificate itself (Npgsql allows no check of its own beside one that says why it refused).
    /// </summary>
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
            SslMode = NpgsqlSslMode,
        };
        return builder.ConnectionString;
    }

    // Npgsql would refuse TLS modes on a Unix socket that libpq ignores there.
    private SslMode NpgsqlSslMode => PostgresTls.IsUnixSocket(Host) ? Npgsql.SslMode.Disable : SslMode switch
    {
        PostgresSslMode.Disable => Npgsql.SslMode.Disable,
        PostgresSslMode.Prefer => Npgsql.SslMode.Prefer,
        _ => Npgsql.SslMode.Require,
    };

    /// <summary>
    /// The libpq environment for child tools: the password travels here, never on a command line; the TLS mode always,
    /// so an inherited PGSSLMODE or PGSSLROOTCERT cannot make a tool connect otherwise than Lifeboat does.
    /// </summary>
    /// <remarks>
    /// Not quite: under prefer and require, libpq still loads ~/.postgresql/root.crt when it exists and then checks the
    /// chain as verify-ca would, which no environment variable turns off; docs/CONFIGURATION.md says so.
    /// </remarks>
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
            ["PGSSLMODE"] = SslMode.LibpqName(),
            ["PGSSLROOTCERT"] = SslMode.Verifies() ? SslRootCertificate : null,
        };
        if (Password is not null)
            environment["PGPASSWORD"] = Password;
        return environment;
    }
}
