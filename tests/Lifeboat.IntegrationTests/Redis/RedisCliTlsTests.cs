using System.Diagnostics;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Redis;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// redis[].tls and caFile against a server that serves TLS with a certificate for 'localhost' from its own authority:
/// the right authority and name take a snapshot; a certificate Lifeboat does not trust, a host the certificate does not
/// name, and a port that does not speak TLS each fail with one line saying which, and record nothing.
/// </summary>
public sealed class RedisCliTlsTests(RedisTlsServerFixture fixture) : IClassFixture<RedisTlsServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_backup_over_tls_with_the_servers_authority_and_a_name_its_certificate_carries_takes_a_snapshot()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, fixture.Redis, host: "localhost", port: fixture.Redis.TlsPort, tls: true, caFile: fixture.AuthorityFile);

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
        var check = await Infrastructure.Cli.RunAsync("--config", config, "check", "--read-data");

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        var info = RedisSnapshotInfo.Of(Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct)));
        Assert.Equal([0, 2, 5], info.Keyspace.Select(d => d.Database));
        Assert.NotNull(info.Crc64);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
    }

    [Fact]
    public async Task A_certificate_that_does_not_chain_to_the_configured_authority_fails_in_one_line_naming_the_file()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, fixture.Redis, host: "localhost", port: fixture.Redis.TlsPort, tls: true, caFile: fixture.StrangerFile);

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");

        Assert.Equal(1, backup.ExitCode);
        Assert.StartsWith(
            $"lifeboat: error: redis 'cache' (localhost:{fixture.Redis.TlsPort}) presented a TLS certificate Lifeboat does not trust: its certificate (CN=lifeboat test server) does not chain to a certificate authority in {fixture.StrangerFile} (",
            OneLine(backup.Stderr),
            StringComparison.Ordinal);
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task A_host_the_certificate_does_not_name_fails_in_one_line_saying_which_names_it_carries()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, fixture.Redis, host: "127.0.0.1", port: fixture.Redis.TlsPort, tls: true, caFile: fixture.AuthorityFile);

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");

        Assert.Equal(1, backup.ExitCode);
        Assert.StartsWith(
            $"lifeboat: error: redis 'cache' (127.0.0.1:{fixture.Redis.TlsPort}) presented a TLS certificate Lifeboat does not trust: its certificate (CN=lifeboat test server) is not for host '127.0.0.1' (it names localhost)",
            OneLine(backup.Stderr),
            StringComparison.Ordinal);
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task Tls_against_a_port_that_speaks_plain_redis_fails_at_once_in_one_line_and_does_not_hang()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, fixture.Redis, host: "localhost", port: fixture.Redis.Port, tls: true, caFile: fixture.AuthorityFile);
        var clock = Stopwatch.StartNew();

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal(1, backup.ExitCode);
        Assert.StartsWith(
            $"lifeboat: error: the TLS handshake with redis 'cache' (localhost:{fixture.Redis.Port}) failed: the server does not speak TLS on this port",
            OneLine(backup.Stderr),
            StringComparison.Ordinal);
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    // The error line, without the log lines before it; there is exactly one.
    private static string OneLine(string stderr) =>
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("lifeboat: error: ", StringComparison.Ordinal));
}
