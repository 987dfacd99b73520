namespace Lifeboat.Postgres;

/// <summary>How a source's <see cref="PostgresSslMode"/> reaches each client: Npgsql, Lifeboat's replication connection, libpq's tools.</summary>
internal static class PostgresTls
{
    /// <summary>The mode as libpq spells it (PGSSLMODE, and in messages).</summary>
    public static string LibpqName(this PostgresSslMode mode) => mode switch
    {
        PostgresSslMode.Disable => "disable",
        PostgresSslMode.Prefer => "prefer",
        PostgresSslMode.Require => "require",
        PostgresSslMode.VerifyCa => "verify-ca",
        _ => "verify-full",
    };

    /// <summary>True when the mode refuses a connection without TLS.</summary>
    public static bool Requires(this PostgresSslMode mode) => mode >= PostgresSslMode.Require;

    /// <summary>True when the mode checks the server's certificate against the configured certificate authority.</summary>
    public static bool Verifies(this PostgresSslMode mode) => mode >= PostgresSslMode.VerifyCa;

    /// <summary>
    /// True when <paramref name="host"/> is a Unix socket directory, as libpq reads it: TLS does not apply there (libpq
    /// ignores sslmode on a local socket, and so does Lifeboat), for nothing crosses a network.
    /// </summary>
    public static bool IsUnixSocket(string host) => host.StartsWith('/');

    /// <summary>The server answered the TLS request with no, and the source's mode requires TLS.</summary>
    public static LifeboatException NotOffered(PostgresSource source) =>
        new($"PostgreSQL at {source.Host}:{source.Port} does not offer TLS, and this source requires it ({source.SslMode.LibpqName()}); nothing was sent in the clear",
            "turn TLS on at the server (ssl = on, with a certificate), or check that the host and port are the real server's")
        {
            Remedy = new(RemedyAction.CheckSourceTls, PostgresDumpBackup.SourceType),
        };
}
