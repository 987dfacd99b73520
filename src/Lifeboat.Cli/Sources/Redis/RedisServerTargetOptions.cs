using System.CommandLine;
using System.Globalization;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Configuration;
using Lifeboat.Redis.ServerRestore;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>
/// restore redis's options for a restore into a running server: where (--to-server), as whom (--to-user,
/// --to-password-env, --to-tls, --to-ca-file, --to-cert, --to-key), which keys (--db, --match), what it may overwrite
/// (--replace), and whether a server that evicts keys is written into although the keys seem not to fit
/// (--ignore-memory-estimate).
/// </summary>
internal sealed class RedisServerTargetOptions
{
    private const int DefaultPort = 6379;

    // The most databases a Redis can be configured with is far below this; it only keeps the number sane.
    private const int MaxDatabase = 15_999;

    private readonly Option<string?> _server = new("--to-server")
    {
        Description = $"Restore into this running Redis (HOST:PORT, e.g. redis.internal:{DefaultPort}) as RESTORE commands, after the whole RDB and the target have been checked",
    };

    private readonly Option<string?> _user = new("--to-user") { Description = "With --to-server: the ACL user to log in as (default: the default user)" };

    private readonly Option<string?> _passwordEnv = new("--to-password-env") { Description = "With --to-server: environment variable holding the password (requirepass, or the user's)" };

    private readonly Option<bool> _tls = CommonOptions.Flag("--to-tls", "With --to-server: speak TLS; the server's certificate must name the host and chain to a trusted root (or --to-ca-file)");

    private readonly Option<string?> _caFile = new("--to-ca-file") { Description = "With --to-tls: PEM file of the CA that signed the server's certificate, trusted instead of the system's roots" };

    private readonly Option<string?> _certFile = new("--to-cert") { Description = "With --to-tls: PEM certificate to present to a server that asks its clients for one (tls-auth-clients); with --to-key" };

    private readonly Option<string?> _keyFile = new("--to-key") { Description = "With --to-cert: the certificate's PEM private key (unencrypted)" };

    private readonly Option<string[]> _databases = new("--db")
    {
        Description = "With --to-server: restore only these databases (repeatable, or a comma list: --db 0,2); default: redis[].databases, else all. Function libraries are restored only when no --db or --match is given",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string?> _match = new("--match") { Description = "With --to-server: restore only keys matching this Redis glob (e.g. 'session:*')" };

    private readonly Option<bool> _replace = CommonOptions.Flag("--replace", "With --to-server: overwrite keys and function libraries the server already has (without it they are refused before anything is written)");

    private readonly Option<bool> _ignoreMemoryEstimate = CommonOptions.Flag(
        "--ignore-memory-estimate",
        "With --to-server: write into a server that evicts keys when full (maxmemory with a policy other than noeviction) even though the backup's used memory says the keys would not fit; the restore still fails if the server evicts any key");

    /// <summary>The options, to add to the command.</summary>
    public IEnumerable<Option> All => [_server, _user, _passwordEnv, _tls, _caFile, _certFile, _keyFile, _databases, _match, _replace, _ignoreMemoryEstimate];

    /// <summary>True when --to-server was given.</summary>
    public bool IsGiven(ParseResult parse) => parse.GetValue(_server) is not null;

    /// <summary>Refuses the options that apply to --to-server alone when it was not given.</summary>
    public void RefuseWithoutServer(ParseResult parse)
    {
        var stray = All.Skip(1).FirstOrDefault(option => parse.GetResult(option) is { Implicit: false });
        if (stray is not null)
            throw new LifeboatException($"{stray.Name} applies to a restore into a running server (--to-server HOST:PORT) only", kind: FailureKind.Usage);
    }

    /// <summary>The server, its password read from the variable named, and the keys chosen; usage errors for what does not fit together.</summary>
    public RedisServerTarget Read(ParseResult parse)
    {
        var (host, port) = HostAndPort(parse.GetValue(_server)!);
        var user = parse.GetValue(_user);
        var passwordEnv = parse.GetValue(_passwordEnv);
        if (user is not null && passwordEnv is null)
            throw new LifeboatException("--to-user needs --to-password-env: a user logs in with a password", kind: FailureKind.Usage);
        if (parse.GetValue(_caFile) is not null && !parse.GetValue(_tls))
            throw new LifeboatException("--to-ca-file applies with --to-tls only", kind: FailureKind.Usage);
        var (certFile, keyFile) = (parse.GetValue(_certFile), parse.GetValue(_keyFile));
        if ((certFile is null) != (keyFile is null))
            throw new LifeboatException("--to-cert and --to-key go together: a client certificate goes with its private key", kind: FailureKind.Usage);
        if (certFile is not null && !parse.GetValue(_tls))
            throw new LifeboatException("--to-cert applies with --to-tls only", kind: FailureKind.Usage);
        var match = parse.GetValue(_match);
        if (match is { Length: 0 })
            throw new LifeboatException("--match needs a pattern, such as 'session:*'", kind: FailureKind.Usage);
        var databases = Databases(parse.GetValue(_databases) ?? []);
        var address = new RestoreTargetAddress(host, port)
        {
            User = user,
            Password = passwordEnv is null ? null : new SecretReference(passwordEnv, "--to-password-env", "this command").Resolve(),
            Tls = parse.GetValue(_tls),
            CaFile = parse.GetValue(_caFile) is { } caFile ? Path.GetFullPath(caFile) : null,
            CertFile = certFile is null ? null : Path.GetFullPath(certFile),
            KeyFile = keyFile is null ? null : Path.GetFullPath(keyFile),
        };
        return new RedisServerTarget(address, databases, match, parse.GetValue(_replace), parse.GetValue(_ignoreMemoryEstimate));
    }

    private static (string Host, int Port) HostAndPort(string text)
    {
        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? text : text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        else if (host.Contains(':', StringComparison.Ordinal))
            host = ""; // an IPv6 address takes brackets, or its last group would read as the port
        if (colon < 0 || host.Length == 0
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new LifeboatException(
                $"--to-server takes HOST:PORT, such as redis.internal:{DefaultPort} or [::1]:{DefaultPort}, not '{text}'",
                kind: FailureKind.Usage);
        }

        return (host, port);
    }

    private static List<int> Databases(IEnumerable<string> values)
    {
        var databases = new List<int>();
        foreach (var part in values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var db) || db > MaxDatabase)
                throw new LifeboatException($"--db takes database numbers, such as --db 0 --db 2 or --db 0,2, not '{part}'", kind: FailureKind.Usage);
            databases.Add(db);
        }

        return [.. databases.Distinct().Order()];
    }
}
