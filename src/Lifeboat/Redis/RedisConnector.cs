using StackExchange.Redis;

namespace Lifeboat.Redis;

/// <summary>Opens an ordinary client connection to a configured Redis with StackExchange.Redis, with its failures said in one line each.</summary>
public static class RedisConnector
{
    private const int TimeoutMs = 10_000;

    /// <summary>Connects and authenticates; a wrong password, a server that does not answer or a TLS failure is a <see cref="LifeboatException"/>.</summary>
    public static async Task<ConnectionMultiplexer> OpenAsync(RedisSource source, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(Options(source)).WaitAsync(cancellationToken);
        }
        catch (RedisConnectionException e) when (e.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            throw new LifeboatException($"{source.Describe()} refused the {(source.User is null ? "password" : $"user '{source.User}' and password")}: {Innermost(e)}", "check the user and password", FailureKind.Usage, e);
        }
        catch (RedisConnectionException e)
        {
            throw new LifeboatException($"cannot connect to {source.Describe()}: {Innermost(e)}", "check the host and port, that the server runs, and its TLS setting", inner: e);
        }
    }

    /// <summary>INFO of every section Lifeboat records, read from the server <paramref name="connection"/> reaches.</summary>
    public static async Task<RedisInfo> InfoAsync(ConnectionMultiplexer connection, RedisSource source, CancellationToken cancellationToken)
    {
        try
        {
            var text = (string?)await connection.GetDatabase().ExecuteAsync("INFO").WaitAsync(cancellationToken);
            return RedisInfo.Parse(text ?? "");
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOPERM", StringComparison.Ordinal))
        {
            throw new LifeboatException($"{source.Describe()} refused INFO: {e.Message}", "grant the backup user the ACL permissions a backup needs: +replconf +sync +info", FailureKind.Usage, e);
        }
        catch (RedisException e)
        {
            throw new LifeboatException($"INFO on {source.Describe()} failed: {e.Message}", "check the server", inner: e);
        }
    }

    private static ConfigurationOptions Options(RedisSource source)
    {
        var options = new ConfigurationOptions
        {
            User = source.User,
            Password = source.Password,
            Ssl = source.Tls,
            SslHost = source.Tls ? source.Host : null,
            AbortOnConnectFail = true,
            ConnectRetry = 1,
            ConnectTimeout = TimeoutMs,
            SyncTimeout = TimeoutMs,
            AsyncTimeout = TimeoutMs,
            // Nothing beyond the commands a backup user is granted: no pub/sub channel, no tie-breaker key, no client name.
            ConfigurationChannel = "",
            TieBreaker = "",
            SetClientLibrary = false,
        };
        options.EndPoints.Add(source.Host, source.Port);
        if (source.Tls && source.CaFile is { } caFile)
        {
            RedisTls.LoadCa(caFile, source);
            options.TrustIssuer(caFile);
        }

        return options;
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is { } inner)
            e = inner;
        return e.Message;
    }
}
