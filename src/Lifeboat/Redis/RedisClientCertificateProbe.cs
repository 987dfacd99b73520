namespace Lifeboat.Redis;

/// <summary>
/// Asks a PING over a TLS connection on which Lifeboat presented no certificate. A server that requires one
/// (tls-auth-clients yes, Redis's default with TLS) lets a TLS 1.3 handshake finish on the client's side and then
/// drops the connection, which would surface later as a connection dropped for no reason given; the PING makes it
/// surface here, named. Any answer, an error such as NOAUTH included, means the server keeps the connection.
/// </summary>
internal static class RedisClientCertificateProbe
{
    /// <summary>What to do about a server that requires a client certificate none was given for.</summary>
    public const string Hint = "give Lifeboat a client certificate signed by an authority in the server's tls-ca-cert-file, and its key; or set tls-auth-clients no (or optional) on the server";

    private static readonly byte[] Ping = "*1\r\n$4\r\nPING\r\n"u8.ToArray();

    /// <summary>Sends PING over <paramref name="tls"/> and reads its one-line answer; throws naming the missing certificate when the server drops the connection instead.</summary>
    public static async Task PingAsync(Stream tls, RedisSource source, CancellationToken cancellationToken)
    {
        if (!await AnswersAsync(tls, cancellationToken))
            throw Refused(source);
    }

    /// <summary>True when the server answers a PING over <paramref name="tls"/>; false when it drops the connection instead.</summary>
    public static async Task<bool> AnswersAsync(Stream tls, CancellationToken cancellationToken)
    {
        try
        {
            await tls.WriteAsync(Ping, cancellationToken);
            await tls.FlushAsync(cancellationToken);
            return await AnswerEndsAsync(tls, cancellationToken);
        }
        catch (IOException)
        {
            return false;
        }
    }

    // PING's answer is one line ("+PONG", or "-NOAUTH …" before AUTH); nothing follows it until the next command.
    private static async Task<bool> AnswerEndsAsync(Stream tls, CancellationToken cancellationToken)
    {
        var one = new byte[1];
        while (await tls.ReadAsync(one, cancellationToken) == 1)
        {
            if (one[0] == (byte)'\n')
                return true;
        }

        return false;
    }

    private static LifeboatException Refused(RedisSource source) => new(
        $"{source.Describe()} closed the TLS connection as soon as it was set up: it asks its clients for a certificate (tls-auth-clients yes, its default with TLS), and none was given",
        Hint)
    {
        Remedy = new(RemedyAction.GiveRedisClientCertificate),
    };
}
