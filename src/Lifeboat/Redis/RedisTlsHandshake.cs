using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lifeboat.Redis;

/// <summary>
/// The TLS handshake with a Redis server, as redis-cli --tls checks it: the server's certificate chains to the system's
/// roots, or to the configured CA file alone, and names the host connected to; revocation is not checked (a server's
/// test or private authority publishes no revocation list). Each way it can fail is one message saying which: a
/// certificate not trusted (and why), or a port that does not speak TLS (a plain Redis port waits silently for a
/// command, so the handshake is given a time limit). The configured client certificate is presented when the server
/// asks for one; without one, a server that requires it is found out at once (<see cref="RedisClientCertificateProbe"/>).
/// </summary>
internal sealed class RedisTlsHandshake
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly RedisSource _source;
    private readonly X509Certificate2Collection? _roots;
    private readonly X509Certificate2? _clientCertificate;
    private readonly RedisCertificateCheck _check;

    private RedisTlsHandshake(RedisSource source, X509Certificate2Collection? roots, X509Certificate2? clientCertificate)
    {
        _source = source;
        _roots = roots;
        _clientCertificate = clientCertificate;
        _check = new RedisCertificateCheck(source.Host, source.CaFile);
    }

    /// <summary>Runs the handshake over <paramref name="network"/> and returns the encrypted stream, which owns it.</summary>
    public static async Task<Stream> SecureAsync(Stream network, RedisSource source, CancellationToken cancellationToken)
    {
        var clientCertificate = source is { CertFile: { } certFile, KeyFile: { } keyFile } ? RedisClientCertificate.Load(certFile, keyFile, source.Describe()) : null;
        var handshake = new RedisTlsHandshake(source, source.CaFile is { } caFile ? ReadCaFile(caFile, source) : null, clientCertificate);
        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await tls.AuthenticateAsClientAsync(handshake.Options(), timeout.Token);
            if (clientCertificate is null)
                await RedisClientCertificateProbe.PingAsync(tls, source, timeout.Token);
            return tls;
        }
        catch (Exception e) when (e is AuthenticationException or IOException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            await tls.DisposeAsync();
            throw handshake.Failed(e);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    private SslClientAuthenticationOptions Options()
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = _source.Host,
            RemoteCertificateValidationCallback = _check.Validate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (_roots is not null)
            options.CertificateChainPolicy = RedisCertificateCheck.CustomRootPolicy(_roots);
        if (_clientCertificate is not null)
            options.ClientCertificates = [_clientCertificate];
        return options;
    }

    // The messages the runtime gives are resource keys in the published (AOT) executable: the reason is worded here.
    private LifeboatException Failed(Exception inner)
    {
        if (_check.Refusal is { } refusal)
        {
            return new LifeboatException(
                $"{_source.Describe()} presented a TLS certificate Lifeboat does not trust: {refusal}",
                "give the CA file of the authority that signed the server's certificate, and connect by a name the certificate carries",
                inner: inner);
        }

        var why = inner is OperationCanceledException
            ? $" (no TLS answer within {Timeout.TotalSeconds:0} s)"
            : ", or it and Lifeboat share no TLS version and cipher suite" + (_clientCertificate is null ? ", or it asks for a client certificate and none was given" : "");
        return new LifeboatException(
            $"the TLS handshake with {_source.Describe()} failed: the server does not speak TLS on this port{why}",
            "connect to the server's TLS port (tls-port in redis.conf), or turn TLS off for a plain port",
            inner: inner);
    }

    private static X509Certificate2Collection ReadCaFile(string caFile, RedisSource source)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new LifeboatException($"cannot read the CA file {caFile} of {source.Describe()}: {e.Message}", "give the PEM file of the CA that signed the server's certificate", FailureKind.Usage, e);
        }

        if (certificates.Count == 0)
            throw new LifeboatException($"the CA file {caFile} of {source.Describe()} holds no PEM certificate", "give the PEM file of the CA that signed the server's certificate", FailureKind.Usage);
        return certificates;
    }
}
