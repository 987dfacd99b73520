using Lifeboat.TestKit.Servers;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// One redis-server serving TLS, besides its plain port, with a certificate for 'localhost' alone from an authority of
/// its own; beside it the files of that authority and of another one. Shared by the TLS tests.
/// </summary>
public sealed class RedisTlsServerFixture : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TestCertificateAuthority _authority = TestCertificateAuthority.Create("lifeboat test authority");
    private readonly TestCertificateAuthority _stranger = TestCertificateAuthority.Create("some other authority");

    public PrivateRedis Redis { get; private set; } = null!;

    /// <summary>The file of the authority that signed the server's certificate.</summary>
    public string AuthorityFile { get; private set; } = null!;

    /// <summary>The file of an authority that signed nothing the server has.</summary>
    public string StrangerFile { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var certificate = _authority.IssueServer("lifeboat test server", ["localhost"], []);
        Redis = await RedisTestServers.StartWithAsync(new PrivateRedisOptions { TlsCertificate = certificate }, Ct);
        var directory = RedisTestServers.NewDirectory("redis-tls");
        AuthorityFile = _authority.WriteCertificate(Path.Combine(directory, "ca.pem"));
        StrangerFile = _stranger.WriteCertificate(Path.Combine(directory, "other-ca.pem"));
        await using var client = await RedisTestServers.ConnectAsync(Redis);
        await RedisTestServers.FillAsync(client);
    }

    public async ValueTask DisposeAsync()
    {
        await Redis.DisposeAsync();
        _authority.Dispose();
        _stranger.Dispose();
    }
}
