namespace Lifeboat.TestKit.Servers;

/// <summary>How a <see cref="PrivateRedis"/> is configured beyond its port and directory.</summary>
public sealed record PrivateRedisOptions
{
    /// <summary>
    /// requirepass: the password clients must AUTH with; null for none. Give it here, not as a config line: the kit
    /// authenticates to ask the server which process it is, and does not start without that answer.
    /// </summary>
    public string? Password { get; init; }

    /// <summary>More redis.conf lines, written after the kit's own so they win (e.g. "appendonly yes").</summary>
    public IReadOnlyList<string> ConfigLines { get; init; } = [];

    /// <summary>
    /// A certificate and its key (PEM, as <see cref="TestCertificateAuthority.IssueServer"/> makes them) to serve TLS with
    /// on a second port, <see cref="PrivateRedis.TlsPort"/>, besides the plain one; null for no TLS. Clients are asked for
    /// certificates only with <see cref="TlsClientAuthority"/>.
    /// </summary>
    public (string Certificate, string Key)? TlsCertificate { get; init; }

    /// <summary>
    /// With <see cref="TlsCertificate"/>: the PEM certificate of an authority whose client certificates the TLS port
    /// requires (tls-auth-clients yes, tls-ca-cert-file); null to ask clients for none.
    /// </summary>
    public string? TlsClientAuthority { get; init; }
}
