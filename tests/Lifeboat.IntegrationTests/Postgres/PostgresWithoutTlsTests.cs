using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Postgres;
using Lifeboat.Postgres.Replication;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// A server without TLS: a source that requires it fails at once with one line and exit 1, before anything is sent
/// in the clear; one that merely prefers TLS goes on, and a password the server asks for in clear text is noted.
/// </summary>
public sealed class PostgresWithoutTlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Require_against_a_server_without_tls_fails_with_one_line_and_exit_1_from_backup_and_the_replication_connection()
    {
        await using var cluster = await PrivatePostgres.StartNewAsync(Ct);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(cluster.Source("app", "postgres", ArchivingCluster.PasswordVariable) with { SslMode = "require" });

        var backup = await Infrastructure.Cli.RunAsync(ArchivingCluster.Password, "--config", config, "backup", "postgres");
        var replication = await Assert.ThrowsAsync<LifeboatException>(() => ReplicationConnection.OpenAsync(Source(cluster, PostgresSslMode.Require), Ct));

        var refusal = $"PostgreSQL at 127.0.0.1:{cluster.Port} does not offer TLS, and this source requires it (require); nothing was sent in the clear";
        Assert.Equal(1, backup.ExitCode);
        Assert.Equal($"lifeboat: error: {refusal}. hint: turn TLS on at the server (ssl = on, with a certificate), or check that the host and port are the real server's; check postgres[].sslMode, sslRootCert and host\n", backup.Stderr);
        Assert.Equal(refusal, replication.Message);
    }

    [Fact]
    public async Task A_password_asked_for_in_clear_text_over_tcp_without_tls_is_noted_under_prefer_and_never_sent_under_require()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        await cluster.UseHbaAsync(["local all all trust", "host all all 127.0.0.1/32 password", "host replication all 127.0.0.1/32 password"], Ct);
        await cluster.StartAsync(Ct);

        await using (var prefer = await ReplicationConnection.OpenAsync(Source(cluster, PostgresSslMode.Prefer), Ct))
            Assert.True(prefer.SentPasswordInClear);
        await Assert.ThrowsAsync<LifeboatException>(() => ReplicationConnection.OpenAsync(Source(cluster, PostgresSslMode.Require), Ct));
    }

    private static PostgresSource Source(PrivatePostgres cluster, PostgresSslMode mode) => new()
    {
        Name = "app",
        Host = cluster.Host,
        Port = cluster.Port,
        Database = "postgres",
        User = PrivatePostgres.Superuser,
        Password = PrivatePostgres.Password,
        SslMode = mode,
    };
}
