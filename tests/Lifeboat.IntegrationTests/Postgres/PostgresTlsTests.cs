using Lifeboat.Postgres;
using Lifeboat.Postgres.Replication;
using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// postgres[].sslMode against a server that takes TCP connections over TLS only: every client of a source (Npgsql,
/// pg_dump, the replication connection of a base backup) connects as the mode says, and a certificate the mode refuses
/// fails with one line saying why.
/// </summary>
public sealed class PostgresTlsTests(TlsClusterFixture fixture) : IClassFixture<TlsClusterFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Require_reaches_a_tls_only_server_with_npgsql_pg_dump_and_the_replication_connection_and_disable_is_turned_away()
    {
        var require = await fixture.ConfigAsync("127.0.0.1", "require");
        var disable = await fixture.ConfigAsync("127.0.0.1", "disable");

        var dump = await AsServerUserAsync("--config", require, "backup", "postgres");
        await using (var replication = await ReplicationConnection.OpenAsync(Source("127.0.0.1", PostgresSslMode.Require), Ct))
            Assert.False(replication.SentPasswordInClear);
        var refused = await AsServerUserAsync("--config", disable, "backup", "postgres");

        Assert.True(dump.ExitCode == 0, dump.Stderr);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("no encryption", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ca_accepts_the_servers_authority_whatever_the_host_and_refuses_another_naming_the_file()
    {
        var right = await fixture.ConfigAsync("127.0.0.1", "verify-ca", fixture.AuthorityFile);
        var wrong = await fixture.ConfigAsync("127.0.0.1", "verify-ca", fixture.StrangerFile);

        var dump = await AsServerUserAsync("--config", right, "backup", "postgres");
        await using (await ReplicationConnection.OpenAsync(Source("127.0.0.1", PostgresSslMode.VerifyCa, fixture.AuthorityFile), Ct))
        {
        }

        var refused = await AsServerUserAsync("--config", wrong, "backup", "postgres");
        var replication = await Assert.ThrowsAsync<LifeboatException>(() => ReplicationConnection.OpenAsync(Source("127.0.0.1", PostgresSslMode.VerifyCa, fixture.StrangerFile), Ct));

        Assert.True(dump.ExitCode == 0, dump.Stderr);
        var refusal = $"PostgreSQL at 127.0.0.1:{fixture.Cluster.Port} presented a TLS certificate that verify-ca refuses: its certificate (CN=lifeboat test server) does not chain to a certificate authority in {fixture.StrangerFile} (";
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("lifeboat: error: " + refusal, OneLine(refused.Stderr), StringComparison.Ordinal);
        Assert.EndsWith("; check postgres[].sslMode, sslRootCert and host", OneLine(refused.Stderr), StringComparison.Ordinal);
        Assert.StartsWith(refusal, replication.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_full_refuses_a_certificate_for_another_host_and_a_base_backup_and_a_dump_by_its_name_succeed()
    {
        var byAddress = await fixture.ConfigAsync("127.0.0.1", "verify-full", fixture.AuthorityFile);
        var byName = await fixture.ConfigAsync("localhost", "verify-full", fixture.AuthorityFile);

        var refused = await AsServerUserAsync("--config", byAddress, "backup", "postgres");
        var replication = await Assert.ThrowsAsync<LifeboatException>(() => ReplicationConnection.OpenAsync(Source("127.0.0.1", PostgresSslMode.VerifyFull, fixture.AuthorityFile), Ct));
        var dump = await AsServerUserAsync("--config", byName, "backup", "postgres");
        var physical = await AsServerUserAsync("--config", byName, "backup", "postgres", "--physical", "--archive-timeout", "120");

        var mismatch = $"PostgreSQL at 127.0.0.1:{fixture.Cluster.Port} presented a TLS certificate that verify-full refuses: its certificate (CN=lifeboat test server) is not for host '127.0.0.1' (it names localhost)";
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("lifeboat: error: " + mismatch, OneLine(refused.Stderr), StringComparison.Ordinal);
        Assert.Equal(mismatch, replication.Message);
        Assert.True(dump.ExitCode == 0, dump.Stderr);
        Assert.True(physical.ExitCode == 0, physical.Stderr);
    }

    private PostgresSource Source(string host, PostgresSslMode mode, string? rootCertificate = null) => new()
    {
        Name = "app",
        Host = host,
        Port = fixture.Cluster.Port,
        Database = "postgres",
        User = PrivatePostgres.Superuser,
        Password = PrivatePostgres.Password,
        SslMode = mode,
        SslRootCertificate = rootCertificate,
    };

    // The error line, without the log lines before it.
    private static string OneLine(string stderr) => Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("lifeboat: error: ", StringComparison.Ordinal));
}
