using Lifeboat.Cli.Configuration;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>One entry of postgres:.</summary>
public sealed record PostgresSettings(
    string Name, string Host, int Port, string Database, string User, SecretReference? Password, string? BinDir, string? PostRestore) : ISourceSettings;
