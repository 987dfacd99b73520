using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lifeboat.Redis;

/// <summary>
/// The certificate Lifeboat presents to a Redis that asks its clients for one (tls-auth-clients yes, Redis's default
/// when TLS is on): a PEM certificate and its PEM private key, read from two files as redis-cli takes them.
/// </summary>
public static class RedisClientCertificate
{
    /// <summary>
    /// Reads <paramref name="certFile"/> and <paramref name="keyFile"/>; a file that cannot be read, holds no PEM, or a key
    /// that is not the certificate's is a usage error naming the files and <paramref name="whose"/> ("redis 'cache' (…)").
    /// </summary>
    public static X509Certificate2 Load(string certFile, string keyFile, string whose)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new LifeboatException(
                $"cannot read the client certificate {certFile} and its key {keyFile} for {whose}: {e.Message}",
                "give a PEM certificate and the PEM private key that belongs to it, unencrypted",
                FailureKind.Usage,
                e);
        }
    }
}
