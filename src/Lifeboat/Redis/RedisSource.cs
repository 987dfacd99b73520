using System.Globalization;

namespace Lifeboat.Redis;

/// <summary>One configured Redis server, with its password already resolved from the environment.</summary>
public sealed record RedisSource
{
    /// <summary>The name backups are filed under.</summary>
    public required string Name { get; init; }

    /// <summary>Server host.</summary>
    public string Host { get; init; } = "localhost";

    /// <summary>Server port.</summary>
    public int Port { get; init; } = 6379;

    /// <summary>The ACL user to AUTH as, or null for the default user (requirepass).</summary>
    public string? User { get; init; }

    /// <summary>The password, or null when the server asks for none.</summary>
    public string? Password { get; init; }

    /// <summary>True to speak TLS, the server's certificate checked against the system's trusted roots (or <see cref="CaFile"/>).</summary>
    public bool Tls { get; init; }

    /// <summary>A PEM file of the certificate authority that signed the server's certificate, trusted besides the system's; or null.</summary>
    public string? CaFile { get; init; }

    /// <summary>A PEM certificate to present when the server asks its clients for one (with <see cref="KeyFile"/>); or null.</summary>
    public string? CertFile { get; init; }

    /// <summary>The PEM private key of <see cref="CertFile"/>; or null.</summary>
    public string? KeyFile { get; init; }

    /// <summary>The databases a restore into a server takes (empty: all).</summary>
    public IReadOnlyList<int> Databases { get; init; } = [];

    /// <summary>"redis 'name' (host:port)", for messages.</summary>
    public string Describe() => $"redis '{Name}' ({Endpoint})";

    /// <summary>host:port.</summary>
    public string Endpoint => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
