using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// Connects to the Redis a restore writes into, through StackExchange.Redis, asking of the server's user no more than
/// the restore itself runs (INFO, EXISTS, SELECT, RESTORE, FUNCTION LIST and FUNCTION RESTORE): the commands the client
/// would otherwise send on its own while it connects (CLIENT, CONFIG, CLUSTER, ECHO, PING, TIME, GET, SUBSCRIBE) are
/// switched off. A failure to connect becomes one message that says why and never holds the password.
/// </summary>
public static class RestoreTargetConnection
{
    private static readonly HashSet<string> CommandsNotSent =
        ["CLIENT", "CONFIG", "CLUSTER", "SENTINEL", "ECHO", "PING", "TIME", "GET", "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "SSUBSCRIBE", "SUNSUBSCRIBE"];

    // The probe's connection asks CONFIG GET for limits (databases, proto-max-bulk-len); a user who may not gets Redis's defaults.
    private static readonly HashSet<string> CommandsNotSentByProbe = [.. CommandsNotSent.Where(c => c != "CONFIG")];

    private const int ConnectTimeoutMs = 10_000;

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    // A RESTORE of a large value on a busy server may take a while; the restore bounds what it has in flight anyway.
    private const int CommandTimeoutMs = 120_000;

    /// <summary>Connects (allowing admin commands, which INFO is to StackExchange.Redis) and returns the target the restore writes into.</summary>
    public static async Task<RestoreTarget> ConnectAsync(RestoreTargetAddress address, CancellationToken cancellationToken)
    {
        var certificates = new RedisCertificateCheck(address.Host, address.CaFile);
        var options = Options(address, certificates);
        try
        {
            var connection = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken);
            return new RestoreTarget(connection, address.Name, ConnectAgain(address));
        }
        catch (RedisConnectionException e) when (certificates.Refusal is { } refusal)
        {
            throw Untrusted(address, refusal, e);
        }
        catch (RedisConnectionException e) when (e.FailureType is ConnectionFailureType.UnableToConnect or ConnectionFailureType.SocketFailure)
        {
            throw await UnreachableAsync(address, e, cancellationToken);
        }
        catch (RedisConnectionException e)
        {
            throw Failure(address, e);
        }
    }

    private static Func<CancellationToken, Task<IConnectionMultiplexer>> ConnectAgain(RestoreTargetAddress address) => async cancellationToken =>
    {
        var options = Options(address, new RedisCertificateCheck(address.Host, address.CaFile));
        options.CommandMap = CommandMap.Create(CommandsNotSentByProbe, available: false);
        options.ClientName = "lifeboat-restore-probe";
        return await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken);
    };

    private static ConfigurationOptions Options(RestoreTargetAddress address, RedisCertificateCheck certificates)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { { address.Host, address.Port } },
            User = address.User,
            Password = address.Password,
            AllowAdmin = true,
            AbortOnConnectFail = true,
            ConnectRetry = 1,
            ConnectTimeout = ConnectTimeoutMs,
            SyncTimeout = CommandTimeoutMs,
            AsyncTimeout = CommandTimeoutMs,
            CommandMap = CommandMap.Create(CommandsNotSent, available: false),
            ConfigurationChannel = "",
            TieBreaker = "",
            SetClientLibrary = false,
            ClientName = "lifeboat-restore",
            // The default backlog keeps commands sent while the connection is down and sends them once it is back: a
            // RESTORE would then land after the restore had stopped on the failure (or wait out the command timeout
            // for a server that is gone). A command that cannot go now fails now.
            BacklogPolicy = BacklogPolicy.FailFast,
        };
        if (!address.Tls)
            return options;

        // As the backup's handshake: revocation is not checked (a private authority publishes no list to check it
        // against), and the certificate is judged by a check that words its refusal itself.
        options.Ssl = true;
        options.SslHost = address.Host;
        options.CheckCertificateRevocation = false;
        var policy = address.CaFile is { } caFile ? RedisCertificateCheck.CustomRootPolicy(LoadCa(caFile, address)) : null;
        X509CertificateCollection? clientCertificates = address is { CertFile: { } certFile, KeyFile: { } keyFile } ? [RedisClientCertificate.Load(certFile, keyFile, address.Name)] : null;
        options.SslClientAuthenticationOptions = host => new SslClientAuthenticationOptions
        {
            TargetHost = host,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = policy,
            RemoteCertificateValidationCallback = certificates.Validate,
            ClientCertificates = clientCertificates,
        };
        return options;
    }

    private static X509Certificate2Collection LoadCa(string caFile, RestoreTargetAddress address)
    {
        const string Hint = "give the PEM file of the CA that signed the server's certificate";
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(caFile);
            if (certificates.Count == 0)
                throw new LifeboatException($"the CA file {caFile} for {address.Name} holds no PEM certificate", Hint, FailureKind.Usage) { Remedy = new(RemedyAction.CheckTargetTls) };
            return certificates;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new LifeboatException($"cannot read the CA file {caFile} for {address.Name}: {e.Message}", Hint, FailureKind.Usage, e) { Remedy = new(RemedyAction.CheckTargetTls) };
        }
    }

    private static LifeboatException Untrusted(RestoreTargetAddress address, string refusal, RedisConnectionException e) => new(
        $"{address.Name} presented a TLS certificate Lifeboat does not trust: {refusal}",
        "nothing was written; give the CA file of the authority that signed the server's certificate, and connect by a name the certificate carries",
        inner: e)
    {
        Remedy = new(RemedyAction.CheckTargetTls),
    };

    // StackExchange.Redis's own messages describe its options, and the runtime's TLS messages are resource keys in the
    // published (AOT) executable: these say, in words of their own, what the operator can check.
    private static LifeboatException Failure(RestoreTargetAddress address, RedisConnectionException e)
    {
        if (e.FailureType == ConnectionFailureType.AuthenticationFailure && FindInner<AuthenticationException>(e) is not null)
        {
            return new LifeboatException(
                $"the TLS handshake with {address.Name} failed: the server does not speak TLS on this port, or it and Lifeboat share no TLS version and cipher suite",
                "nothing was written; connect to the server's TLS port (tls-port in its redis.conf)",
                inner: e)
            {
                Remedy = new(RemedyAction.CheckTargetTls),
            };
        }

        if (e.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            var said = FindInner<RedisServerException>(e)?.Message;
            var why = said is not null && said.Contains("NOAUTH", StringComparison.Ordinal)
                ? "it asks for a password and none was given"
                : address.User is null ? "it refused the password for the default user" : $"it refused user '{address.User}' with the password given";
            // A wrong or missing password is configuration, as a backup's is: exit 2.
            return new LifeboatException($"cannot log in to {address.Name}: {why}", "nothing was written", FailureKind.Usage, e)
            {
                Remedy = new(RemedyAction.CheckTargetCredentials),
            };
        }

        return new LifeboatException($"cannot connect to {address.Name}: {e.FailureType}", "nothing was written", inner: e);
    }

    // The client says only that it could not connect; a plain TCP connection tells a closed port from a server that
    // answers in another language (TLS to a plain port, or the reverse).
    private static async Task<LifeboatException> UnreachableAsync(RestoreTargetAddress address, RedisConnectionException e, CancellationToken cancellationToken)
    {
        using var probe = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await probe.ConnectAsync(address.Host, address.Port, timeout.Token);
        }
        catch (Exception socket) when (socket is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var why = socket is SocketException refused ? refused.Message : $"no answer within {ProbeTimeout.TotalSeconds:0} s";
            return new LifeboatException($"cannot connect to {address.Name}: {why}", "check that the server runs and is reachable from here; nothing was written", inner: e)
            {
                Remedy = new(RemedyAction.CheckTargetAddress),
            };
        }

        if (address is { Tls: true, CertFile: null } && await AsksForClientCertificateAsync(probe, address, timeout.Token))
        {
            return new LifeboatException(
                $"{address.Name} closed the TLS connection as soon as it was set up: it asks its clients for a certificate (tls-auth-clients yes, its default with TLS), and none was given",
                $"nothing was written; {RedisClientCertificateProbe.Hint}",
                FailureKind.Usage,
                e)
            {
                Remedy = new(RemedyAction.GiveTargetClientCertificate),
            };
        }

        return address.Tls
            ? new LifeboatException($"{address.Name} accepts connections, but no TLS session could be set up with it", "check that the server speaks TLS on that port; nothing was written", inner: e) { Remedy = new(RemedyAction.CheckTargetTls) }
            : new LifeboatException($"{address.Name} accepts connections, but did not answer as Redis does", "check that the address is a Redis server, and whether it expects TLS; nothing was written", inner: e) { Remedy = new(RemedyAction.CheckTargetAddress) };
    }

    // A TLS handshake (the server's certificate taken as it comes: only a PING follows, no secret) and a PING: a server
    // that requires client certificates lets a TLS 1.3 handshake finish and then drops the connection.
    private static async Task<bool> AsksForClientCertificateAsync(TcpClient probe, RestoreTargetAddress address, CancellationToken cancellationToken)
    {
        await using var tls = new SslStream(probe.GetStream(), leaveInnerStreamOpen: true);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = address.Host, RemoteCertificateValidationCallback = (_, _, _, _) => true }, cancellationToken);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            return false;
        }

        return !await RedisClientCertificateProbe.AnswersAsync(tls, cancellationToken);
    }

    private static T? FindInner<T>(Exception e)
        where T : Exception
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found)
                return found;
        }

        return null;
    }
}
