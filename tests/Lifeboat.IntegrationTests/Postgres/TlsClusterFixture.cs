using System.Net;
using Lifeboat.TestKit.Configuration;
using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// One archiving cluster that takes TCP connections over TLS only (hostssl in pg_hba.conf), with a certificate for
/// 'localhost' alone from an authority of its own; beside it the file of another authority. Shared by the TLS tests.
/// </summary>
public sealed class TlsClusterFixture : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TestCertificateAuthority _authority = TestCertificateAuthority.Create("lifeboat test authority");
    private readonly TestCertificateAuthority _stranger = TestCertificateAuthority.Create("some other authority");

    public PrivatePostgres Cluster { get; private set; } = null!;

    /// <summary>The directory holding the configurations, the repository and the authority files, the server's user's.</summary>
    public string Work { get; private set; } = null!;

    /// <summary>The file of the authority that signed the server's certificate.</summary>
    public string AuthorityFile => Path.Combine(Work, "ca.pem");

    /// <summary>The file of an authority that signed nothing the server has.</summary>
    public string StrangerFile => Path.Combine(Work, "other-ca.pem");

    public async ValueTask InitializeAsync()
    {
        Cluster = await PrivatePostgres.CreateAsync(Ct);
        await Cluster.UseTlsAsync(_authority, ["localhost"], [], Ct);
        await Cluster.UseHbaAsync(
            [
                "local all all trust",
                "local replication all trust",
                "hostssl all all 127.0.0.1/32 scram-sha-256",
                "hostssl replication all 127.0.0.1/32 scram-sha-256",
                "hostssl all all ::1/128 scram-sha-256",
                "hostssl replication all ::1/128 scram-sha-256",
            ],
            Ct);
        Work = Path.GetDirectoryName(await StartArchivingAsync(Cluster))!;
        _authority.WriteCertificate(AuthorityFile);
        _stranger.WriteCertificate(StrangerFile);
        await GiveToServerUserAsync(Work);
    }

    /// <summary>A configuration of the cluster's repository whose source connects to <paramref name="host"/> with these TLS settings.</summary>
    public async Task<string> ConfigAsync(string host, string sslMode, string? rootCertificate = null)
    {
        var path = new LifeboatConfigBuilder()
            .RepositoryUrl(Path.Combine(Work, "repo"))
            .KeyFile(Path.Combine(Work, "repo.key"))
            .Postgres(Cluster.Source("app", "postgres", PasswordVariable) with { Host = host, SslMode = sslMode, SslRootCert = rootCertificate })
            .WriteTo(Path.Combine(Work, $"tls-{Guid.NewGuid():N}.yaml"));
        await GiveToServerUserAsync(path);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _authority.Dispose();
        _stranger.Dispose();
    }
}
