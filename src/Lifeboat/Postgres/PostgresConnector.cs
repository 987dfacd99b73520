using System.Net.Sockets;
using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>Opens connections and turns connection failures into errors an operator can act on.</summary>
internal static class PostgresConnector
{
    /// <summary>Opens a connection to <paramref name="database"/> on the source's server.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(PostgresSource source, string database, CancellationToken cancellationToken)
    {
        // Built first: it reads the root certificate and may refuse it, and a connection made before would be left undisposed.
        var check = Certificates(source);
        var connection = new NpgsqlConnection(source.ConnectionString(database));
        if (check is not null)
            connection.SslClientAuthenticationOptionsCallback = check.Apply;
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync();
            if (check?.Refusal is not null)
                throw check.Refused(e);
            throw Explain(source, database, e);
        }
    }

    // Npgsql's own check says only that a certificate was rejected, and refuses to run beside another: Lifeboat's says why.
    private static ServerCertificateCheck? Certificates(PostgresSource source) =>
        source.SslMode.Verifies() && !PostgresTls.IsUnixSocket(source.Host) ? ServerCertificateCheck.For(source) : null;

    private static LifeboatException Explain(PostgresSource source, string database, Exception e)
    {
        var where = source.Describe(database);
        return e switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } =>
                new LifeboatException($"PostgreSQL at {where} rejected user '{source.User}': {((PostgresException)e).MessageText}", inner: e)
                {
                    Remedy = SettingToCheck(RemedyAction.CheckSourcePassword),
                },
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } =>
                new LifeboatException($"database '{database}' does not exist at {source.Host}:{source.Port}", inner: e)
                {
                    Remedy = SettingToCheck(RemedyAction.CheckSourceDatabase),
                },
            // Npgsql's words for a server that answered the TLS request with no; it sent nothing else.
            NpgsqlException when source.SslMode.Requires() && e.Message.StartsWith("SSL connection requested", StringComparison.Ordinal) =>
                PostgresTls.NotOffered(source),
            PostgresException pe =>
                new LifeboatException($"PostgreSQL at {where} refused the connection: {pe.MessageText}", inner: e),
            _ when e.InnerException is SocketException se =>
                new LifeboatException($"cannot reach PostgreSQL at {source.Host}:{source.Port}: {se.Message}", inner: e)
                {
                    Remedy = SettingToCheck(RemedyAction.CheckSourceAddress),
                },
            _ when e is TimeoutException || e.InnerException is TimeoutException =>
                new LifeboatException($"timed out connecting to PostgreSQL at {source.Host}:{source.Port}", inner: e)
                {
                    Remedy = SettingToCheck(RemedyAction.CheckSourceAddress),
                },
            _ => new LifeboatException($"cannot connect to PostgreSQL at {where}: {e.Message}", inner: e),
        };
    }

    private static Remedy SettingToCheck(RemedyAction action) => new(action, PostgresDumpBackup.SourceType);
}
