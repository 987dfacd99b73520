using Lifeboat.Cli.Configuration;
using Lifeboat.Postgres;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>The postgres: source section, declared once: its keys and how one entry binds to <see cref="PostgresSettings"/>.</summary>
internal static class PostgresSection
{
    // libpq's spellings, in the order the docs list them.
    private static readonly Dictionary<string, PostgresSslMode> SslModes = new(StringComparer.Ordinal)
    {
        ["disable"] = PostgresSslMode.Disable,
        ["prefer"] = PostgresSslMode.Prefer,
        ["require"] = PostgresSslMode.Require,
        ["verify-ca"] = PostgresSslMode.VerifyCa,
        ["verify-full"] = PostgresSslMode.VerifyFull,
    };

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

    private static readonly ConfigKey SslMode = new(
        "sslMode", ConfigValueType.Choice,
        "TLS to the server, as libpq's `sslmode`, for every connection: Lifeboat's own, `pg_dump` / `pg_restore` and `postRestore` (`PGSSLMODE`). "
        + "`prefer`: TLS when the server offers it; `require`: no connection without TLS (the certificate is not checked); "
        + "`verify-ca`: the certificate must chain to `sslRootCert`; `verify-full`: and name `host`. A Unix socket `host` never uses TLS")
    {
        Default = "prefer",
        Choices = [.. SslModes.Keys],
    };

    private static readonly ConfigKey SslRootCert = new(
        "sslRootCert", ConfigValueType.Path,
        "certificate authority file (PEM) the server's certificate must chain to (`PGSSLROOTCERT`); required by `verify-ca` and `verify-full`, refused with the other modes");

    /// <summary>The postgres: section, registered with the rest of PostgreSQL in <see cref="PostgresSourceKind"/>.</summary>
    public static readonly SourceSection Declaration = new(
        "postgres",
        new ConfigSection("postgres", IsList: true, [Name, Host, Port, Database, User, PasswordEnv, BinDir, PostRestore, SslMode, SslRootCert]),
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
            entry.OptionalText(PostRestore))
        {
            SslMode = Tls(entry, out var rootCertificate),
            SslRootCertificate = rootCertificate,
        };
    }

    // Verification without a certificate authority, or one given but not used, is a mistake, never a silent default.
    private static PostgresSslMode Tls(SectionValues entry, out string? rootCertificate)
    {
        var mode = SslModes[entry.Choice(SslMode)];
        rootCertificate = entry.OptionalPath(SslRootCert);
        var verifies = mode is PostgresSslMode.VerifyCa or PostgresSslMode.VerifyFull;
        if (verifies && rootCertificate is null)
        {
            throw new LifeboatException(
                $"{entry.DisplayName} in {entry.Origin(SslMode)} sets sslMode {entry.Choice(SslMode)} without sslRootCert",
                "name the certificate authority file that signed the server's certificate in sslRootCert", FailureKind.Usage);
        }

        if (!verifies && rootCertificate is not null)
        {
            throw new LifeboatException(
                $"{entry.DisplayName} in {entry.Origin(SslRootCert)} sets sslRootCert, which only verify-ca and verify-full use, with sslMode {entry.Choice(SslMode)}",
                "set sslMode to verify-full (or verify-ca), or remove sslRootCert", FailureKind.Usage);
        }

        return mode;
    }

}
