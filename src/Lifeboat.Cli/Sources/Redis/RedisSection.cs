using System.Globalization;
using Lifeboat.Cli.Configuration;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>The redis: source section, declared once: its keys and how one entry binds to <see cref="RedisSettings"/>.</summary>
internal static class RedisSection
{
    private static readonly ConfigKey Name = new("name", ConfigValueType.Text, "name backups are filed under (`redis/<name>/rdbs/…`)")
    {
        Required = true,
    };

    private static readonly ConfigKey Host = new("host", ConfigValueType.Text, "server host") { Default = "localhost" };

    private static readonly ConfigKey Port = new("port", ConfigValueType.Int, "server port") { Default = "6379", Min = 1, Max = 65535 };

    private static readonly ConfigKey User = new(
        "user", ConfigValueType.Text, "ACL user to `AUTH` as (with `passwordEnv`, which it requires); it needs `+replconf +sync +info` (docs/RUNBOOK.md)")
    {
        DefaultNote = "the default user",
    };

    private static readonly ConfigKey PasswordEnv = new(
        "passwordEnv", ConfigValueType.SecretReference, "variable holding the password (`requirepass`, or the ACL user's)");

    private static readonly ConfigKey Tls = new(
        "tls", ConfigValueType.Bool, "speak TLS; the server's certificate must name the host and chain to a trusted root (or `caFile`)")
    {
        Default = "false",
    };

    private static readonly ConfigKey CaFile = new(
        "caFile", ConfigValueType.Path, "PEM file of the CA that signed the server's certificate, trusted instead of the system's roots (with `tls`)");

    private static readonly ConfigKey CertFile = new(
        "certFile", ConfigValueType.Path, "PEM certificate to present to a server that asks its clients for one (`tls-auth-clients`, on by default with TLS); with `keyFile` and `tls`");

    private static readonly ConfigKey KeyFile = new(
        "keyFile", ConfigValueType.Path, "PEM private key of `certFile` (unencrypted); with `certFile`");

    private static readonly ConfigKey Databases = new(
        "databases", ConfigValueType.Text, "comma-separated database numbers `restore redis --to-server` takes when `--db` is not given, e.g. `0,2` (a snapshot always holds them all; function libraries are restored all the same)")
    {
        DefaultNote = "all",
    };

    /// <summary>The redis: section, registered with the rest of Redis in <see cref="RedisSourceKind"/>.</summary>
    public static readonly SourceSection Declaration = new(
        "redis",
        new ConfigSection("redis", IsList: true, [Name, Host, Port, User, PasswordEnv, Tls, CaFile, CertFile, KeyFile, Databases]),
        Bind);

    private static RedisSettings Bind(SectionValues entry)
    {
        var user = entry.OptionalText(User);
        var password = entry.OptionalSecret(PasswordEnv);
        if (user is not null && password is null)
        {
            // AUTH with a user takes its password; without one the backup would log in as the default user instead.
            throw new LifeboatException(
                $"{entry.DisplayName}.user in {entry.Origin(User)} needs {entry.DisplayName}.passwordEnv: an ACL user logs in with a password",
                null,
                FailureKind.Usage);
        }

        var (certFile, keyFile) = ClientCertificate(entry);
        return new RedisSettings(
            entry.Text(Name),
            entry.Text(Host),
            entry.Int(Port),
            user,
            password,
            entry.Bool(Tls),
            entry.OptionalPath(CaFile),
            DatabaseList(entry))
        {
            CertFile = certFile,
            KeyFile = keyFile,
        };
    }

    // A certificate goes with its key, and both with TLS: one without the other would be ignored where it was meant to log in.
    private static (string? CertFile, string? KeyFile) ClientCertificate(SectionValues entry)
    {
        var certFile = entry.OptionalPath(CertFile);
        var keyFile = entry.OptionalPath(KeyFile);
        if ((certFile is null) != (keyFile is null))
        {
            var (given, missing) = certFile is null ? (KeyFile, CertFile) : (CertFile, KeyFile);
            throw new LifeboatException($"{entry.DisplayName}.{given.Name} in {entry.Origin(given)} needs {entry.DisplayName}.{missing.Name}: a client certificate goes with its private key", null, FailureKind.Usage);
        }

        if (certFile is not null && !entry.Bool(Tls))
            throw new LifeboatException($"{entry.DisplayName}.certFile in {entry.Origin(CertFile)} needs {entry.DisplayName}.tls: true: a client certificate is presented in a TLS handshake", null, FailureKind.Usage);
        return (certFile, keyFile);
    }

    private static List<int> DatabaseList(SectionValues entry)
    {
        if (entry.OptionalText(Databases) is not { } text)
            return [];
        var databases = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var db) || db > 15_999)
            {
                throw new LifeboatException(
                    $"{entry.DisplayName}.databases in {entry.Origin(Databases)} must list database numbers separated by commas (e.g. 0,2), not '{text}'",
                    null,
                    FailureKind.Usage);
            }

            databases.Add(db);
        }

        return [.. databases.Distinct().Order()];
    }
}
