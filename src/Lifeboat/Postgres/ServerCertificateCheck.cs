using Lifeboat.Tls;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lifeboat.Postgres;

/// <summary>
/// Judges a PostgreSQL server's TLS certificate as the source's <see cref="PostgresSslMode"/> asks, for Lifeboat's own
/// replication connection and for Npgsql's alike, and keeps why it refused one: the chain to the configured certificate
/// authority (nothing else is trusted, as libpq trusts only its root certificate file), then for verify-full the host.
/// </summary>
internal sealed class ServerCertificateCheck
{
    private readonly PostgresSource _source;
    private readonly X509Certificate2Collection? _roots;

    private ServerCertificateCheck(PostgresSource source, X509Certificate2Collection? roots)
    {
        _source = source;
        _roots = roots;
    }

    /// <summary>Why the last certificate was refused, or null.</summary>
    public string? Refusal { get; private set; }

    /// <summary>The check for <paramref name="source"/>, with its certificate authority read when its mode verifies.</summary>
    public static ServerCertificateCheck For(PostgresSource source) =>
        new(source, source.SslMode.Verifies() ? ReadRoots(source) : null);

    /// <summary>Options for a TLS handshake with the source's server that run this check.</summary>
    public SslClientAuthenticationOptions Options()
    {
        var options = new SslClientAuthenticationOptions { TargetHost = _source.Host };
        Apply(options);
        return options;
    }

    /// <summary>Makes <paramref name="options"/> (Npgsql's, say) run this check instead of their own.</summary>
    public void Apply(SslClientAuthenticationOptions options)
    {
        options.RemoteCertificateValidationCallback = Validate;
        options.CertificateRevocationCheckMode = X509RevocationMode.NoCheck;
        if (_roots is null)
            return;
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(_roots);
        options.CertificateChainPolicy = policy;
    }

    /// <summary>The handshake failed because this check refused the certificate: one error naming why.</summary>
    public LifeboatException Refused(Exception inner) =>
        new($"PostgreSQL at {_source.Host}:{_source.Port} presented a TLS certificate that {_source.SslMode.LibpqName()} refuses: {Refusal}",
            "give the certificate of the authority that signed the server's certificate, and connect by a name the certificate carries", inner: inner)
        {
            Remedy = new(RemedyAction.CheckSourceTls, PostgresDumpBackup.SourceType),
        };

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // prefer and require encrypt without checking, as libpq does without a root certificate.
        if (!_source.SslMode.Verifies())
            return true;
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return Refuse("the server sent no certificate");
        var subject = certificate.Subject;
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            return Refuse($"its certificate ({subject}) does not chain to a certificate authority in {_source.SslRootCertificate} ({CertificateText.ChainProblems(chain)})");
        if (_source.SslMode == PostgresSslMode.VerifyFull && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return Refuse($"its certificate ({subject}) is not for host '{_source.Host}' (it names {CertificateText.NamesIn(certificate)})");
        return true;
    }

    private bool Refuse(string why)
    {
        Refusal = why;
        return false;
    }



    private static X509Certificate2Collection ReadRoots(PostgresSource source)
    {
        var path = source.SslRootCertificate ?? throw new LifeboatException(
            $"{source.Describe()} is to verify the server's certificate ({source.SslMode.LibpqName()}), but no certificate authority file is configured")
        {
            Remedy = new(RemedyAction.CheckSourceTls, PostgresDumpBackup.SourceType),
        };
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new LifeboatException($"cannot read the certificate authority file {path} for {source.Describe()}: {e.Message}", inner: e)
            {
                Remedy = new(RemedyAction.CheckSourceTls, PostgresDumpBackup.SourceType),
            };
        }

        if (roots.Count == 0)
        {
            throw new LifeboatException($"the certificate authority file {path} for {source.Describe()} holds no PEM certificate")
            {
                Remedy = new(RemedyAction.CheckSourceTls, PostgresDumpBackup.SourceType),
            };
        }

        return roots;
    }
}
