namespace Lifeboat.TestKit.Configuration;

/// <summary>One entry of the config file's postgres list; null members are left out of the file.</summary>
public sealed record PostgresSourceConfig
{
    /// <summary>postgres[].name: the name backups are filed under.</summary>
    public required string Name { get; init; }

    /// <summary>postgres[].host.</summary>
    public string? Host { get; init; }

    /// <summary>postgres[].port.</summary>
    public int? Port { get; init; }

    /// <summary>postgres[].database.</summary>
    public string? Database { get; init; }

    /// <summary>postgres[].user.</summary>
    public string? User { get; init; }

    /// <summary>postgres[].passwordEnv: the variable holding the password, never the password.</summary>
    public string? PasswordEnv { get; init; }

    /// <summary>postgres[].binDir: where pg_dump and pg_restore are.</summary>
    public string? BinDir { get; init; }

    /// <summary>postgres[].postRestore: a shell command run after a verified restore.</summary>
    public string? PostRestore { get; init; }

    /// <summary>postgres[].sslMode: disable, prefer, require, verify-ca or verify-full.</summary>
    public string? SslMode { get; init; }

    /// <summary>postgres[].sslRootCert: the certificate authority file for verify-ca and verify-full.</summary>
    public string? SslRootCert { get; init; }
}
