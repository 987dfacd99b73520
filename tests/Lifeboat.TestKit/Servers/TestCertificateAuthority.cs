using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lifeboat.TestKit.Servers;

/// <summary>
/// A certificate authority of one test's own, made in memory (no openssl), that issues TLS certificates for private
/// servers: the CA file a client trusts, a server's certificate and key for the names the test chooses, and client
/// certificates for a server that checks its clients.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _authority;

    private TestCertificateAuthority(X509Certificate2 authority) => _authority = authority;

    /// <summary>A new self-signed authority called <paramref name="name"/>, valid from a day ago for a week.</summary>
    public static TestCertificateAuthority Create(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return new TestCertificateAuthority(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7)));
    }

    /// <summary>Writes the authority's certificate (PEM), the file a client verifies servers with, and returns its path.</summary>
    public string WriteCertificate(string path)
    {
        File.WriteAllText(path, _authority.ExportCertificatePem());
        return path;
    }

    /// <summary>A server certificate signed by this authority for <paramref name="dnsNames"/> and <paramref name="addresses"/>, and its key, both PEM.</summary>
    public (string Certificate, string Key) IssueServer(string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
            names.AddDnsName(name);
        foreach (var address in addresses)
            names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(_authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(6), serial);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A client certificate signed by this authority for <paramref name="commonName"/>, and its key, both PEM: what a server that checks its clients (Redis's tls-auth-clients) takes.</summary>
    public (string Certificate, string Key) IssueClient(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(_authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(6), serial);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The authority's own certificate, PEM: what a server checks client certificates against.</summary>
    public string CertificatePem => _authority.ExportCertificatePem();

    /// <inheritdoc />
    public void Dispose() => _authority.Dispose();
}
