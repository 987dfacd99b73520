using System.Globalization;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>Where a restore into a running Redis connects and how it logs in: a standalone server's address, user, password and TLS.</summary>
/// <param name="Host">The server's host name or address.</param>
/// <param name="Port">Its port.</param>
public sealed record RestoreTargetAddress(string Host, int Port)
{
    /// <summary>The ACL user to log in as; null for the default user.</summary>
    public string? User { get; init; }

    /// <summary>The password (requirepass, or the user's); null when the server asks for none. Never printed.</summary>
    public string? Password { get; init; }

    /// <summary>True to speak TLS, the server's certificate checked against the system's roots (or <see cref="CaFile"/>) and the host.</summary>
    public bool Tls { get; init; }

    /// <summary>A PEM file of the certificate authority trusted instead of the system's roots; null for the system's.</summary>
    public string? CaFile { get; init; }

    /// <summary>A PEM certificate to present when the server asks its clients for one (with <see cref="KeyFile"/>); null for none.</summary>
    public string? CertFile { get; init; }

    /// <summary>The PEM private key of <see cref="CertFile"/>; null for none.</summary>
    public string? KeyFile { get; init; }

    /// <summary>host:port, an IPv6 address in brackets.</summary>
    public string Endpoint => (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>"the Redis at host:port", as messages name it.</summary>
    public string Name => $"the Redis at {Endpoint}";

    /// <summary>The address and user, never the password.</summary>
    public override string ToString() => $"{Endpoint} (user {User ?? "default"}{(Tls ? ", TLS" : "")})";
}
