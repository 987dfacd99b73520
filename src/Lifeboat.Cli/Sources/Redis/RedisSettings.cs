using Lifeboat.Cli.Configuration;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>One entry of redis:.</summary>
public sealed record RedisSettings(
    string Name, string Host, int Port, string? User, SecretReference? Password, bool Tls, string? CaFile, IReadOnlyList<int> Databases) : ISourceSettings
{
    /// <summary>The client certificate presented to a server that asks for one; null for none.</summary>
    public string? CertFile { get; init; }

    /// <summary>Its private key; null for none.</summary>
    public string? KeyFile { get; init; }
}
