using Lifeboat.Cli.Configuration;
using Lifeboat.Postgres;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>One entry of postgres:.</summary>
public sealed record PostgresSettings(
    string Name, string Host, int Port, string Database, string User, SecretReference? Password, string? BinDir, string? PostRestore) : ISourceSettings
{
    /// <summary>Whether and how its connections use TLS.</summary>
    public PostgresSslMode SslMode { get; init; } = PostgresSslMode.Prefer;

    /// <summary>The certificate authority file the server's certificate must chain to, when the mode verifies it.</summary>
    public string? SslRootCertificate { get; init; }
}
