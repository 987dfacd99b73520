using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Lifeboat.Redis;

/// <summary>How Lifeboat checks a Redis server's TLS certificate: its name and a chain to the system's roots, or to the configured CA alone.</summary>
internal static class RedisTls
{
    /// <summary>The options for an SslStream to <paramref name="source"/>.</summary>
    public static SslClientAuthenticationOptions ClientOptions(RedisSource source)
    {
        var options = new SslClientAuthenticationOptions { TargetHost = source.Host };
        if (source.CaFile is { } caFile)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust };
            policy.CustomTrustStore.AddRange(LoadCa(caFile, source));
            options.CertificateChainPolicy = policy;
        }

        return options;
    }

    /// <summary>The certificates of the CA file; a missing or unreadable one is said so, naming the file.</summary>
    public static X509Certificate2Collection LoadCa(string caFile, RedisSource source)
    {
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(caFile);
            if (certificates.Count == 0)
                throw new LifeboatException($"the CA file {caFile} of {source.Describe()} holds no PEM certificate", "give the PEM file of the CA that signed the server's certificate", FailureKind.Usage);
            return certificates;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new LifeboatException($"cannot read the CA file {caFile} of {source.Describe()}: {e.Message}", "give the PEM file of the CA that signed the server's certificate", FailureKind.Usage, e);
        }
    }
}
