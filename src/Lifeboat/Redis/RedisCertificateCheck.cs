using Lifeboat.Tls;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Lifeboat.Redis;

/// <summary>
/// Judges a Redis server's TLS certificate as redis-cli --tls does (it chains to the trusted roots and names the host)
/// and remembers, in words of its own, why it refused one: the runtime's messages are resource keys in the published
/// (AOT) executable. Used as the handshake's validation callback; the chain it is given was built as the handshake's
/// options say (revocation unchecked: a server's test or private authority publishes no revocation list).
/// </summary>
internal sealed class RedisCertificateCheck(string host, string? caFile)
{
    /// <summary>Why the certificate was refused, once it was; null while none was.</summary>
    public string? Refusal { get; private set; }

    /// <summary>The validation callback.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return Refuse("the server sent no certificate");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            return Refuse($"its certificate ({certificate.Subject}) does not chain to {TrustedRoots()} ({CertificateText.ChainProblems(chain)})");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return Refuse($"its certificate ({certificate.Subject}) is not for host '{host}' (it names {CertificateText.NamesIn(certificate)})");
        return true;
    }

    /// <summary>The chain policy for a CA file trusted instead of the system's roots, revocation unchecked.</summary>
    public static X509ChainPolicy CustomRootPolicy(X509Certificate2Collection roots)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }

    private bool Refuse(string why)
    {
        Refusal = why;
        return false;
    }

    private string TrustedRoots() =>
        caFile is not null ? $"a certificate authority in {caFile}" : "a certificate authority this system trusts";


}
