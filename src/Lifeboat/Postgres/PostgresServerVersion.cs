namespace Lifeboat.Postgres;

/// <summary>A PostgreSQL server's version as it reports it (16.4) and its major version (16).</summary>
internal sealed record PostgresServerVersion(string Text, int Major);
