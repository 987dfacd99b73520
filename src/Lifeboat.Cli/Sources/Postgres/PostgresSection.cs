using Lifeboat.Cli.Configuration;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>The postgres: source section, declared once: its keys and how one entry binds to <see cref="PostgresSettings"/>.</summary>
internal static class PostgresSection
{
    private static readonly ConfigKey Name = new("name", ConfigValueType.Text, "name backups are filed under (`postgres/<name>/dumps/…`)")
    {
        Required = true,
    };

    private static readonly ConfigKey Host = new("host", ConfigValueType.Text, "server host") { Default = "localhost" };

    private static readonly ConfigKey Port = new("port", ConfigValueType.Int, "server port") { Default = "5432", Min = 1, Max = 65535 };

    private static readonly ConfigKey Database = new("database", ConfigValueType.Text, "database to back up") { DefaultNote = "the name" };

    private static readonly ConfigKey User = new(
        "user", ConfigValueType.Text, "user; a superuser (or owner with CREATE EXTENSION rights) to restore PostGIS")
    {
        Required = true,
    };

    private static readonly ConfigKey PasswordEnv = new(
        "passwordEnv", ConfigValueType.SecretReference, "variable holding the password (else `.pgpass` / trust)");

    private static readonly ConfigKey BinDir = new(
        "binDir", ConfigValueType.Path, "directory of `pg_dump` / `pg_restore` (must be at least the server's major version)")
    {
        DefaultNote = "`PATH`",
    };

    private static readonly ConfigKey PostRestore = new(
        "postRestore", ConfigValueType.Text,
        "shell command run after a verified restore, with `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE` of the restored database in its environment (the plan's `alembic upgrade head`)");

    /// <summary>The postgres: section, registered with the rest of PostgreSQL in <see cref="PostgresSourceKind"/>.</summary>
    public static readonly SourceSection Declaration = new(
        "postgres",
        new ConfigSection("postgres", IsList: true, [Name, Host, Port, Database, User, PasswordEnv, BinDir, PostRestore]),
        Bind);

    private static PostgresSettings Bind(SectionValues entry)
    {
        var name = entry.Text(Name);
        return new PostgresSettings(
            name,
            entry.Text(Host),
            entry.Int(Port),
            entry.OptionalText(Database) ?? name,
            entry.Text(User),
            entry.OptionalSecret(PasswordEnv),
            entry.OptionalPath(BinDir),
            entry.OptionalText(PostRestore));
    }
}
