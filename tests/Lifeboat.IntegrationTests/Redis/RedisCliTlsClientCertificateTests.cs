using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Configuration;
using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// A server whose TLS port asks its clients for a certificate (tls-auth-clients yes, Redis's default with TLS):
/// redis[].certFile and keyFile for a backup, --to-cert and --to-key for a restore into it, present one it takes.
/// </summary>
public sealed class RedisCliTlsClientCertificateTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TestCertificateAuthority _authority = TestCertificateAuthority.Create("lifeboat test authority");
    private PrivateRedis _redis = null!;
    private string _authorityFile = null!;
    private string _certFile = null!;
    private string _keyFile = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await StartWithAsync(
            new PrivateRedisOptions { TlsCertificate = _authority.IssueServer("lifeboat test server", ["localhost"], []), TlsClientAuthority = _authority.CertificatePem },
            Ct);
        var directory = NewDirectory("redis-tls-client");
        _authorityFile = _authority.WriteCertificate(Path.Combine(directory, "ca.pem"));
        var (certificate, key) = _authority.IssueClient("lifeboat");
        _certFile = Path.Combine(directory, "client.crt");
        _keyFile = Path.Combine(directory, "client.key");
        await File.WriteAllTextAsync(_certFile, certificate, Ct);
        await File.WriteAllTextAsync(_keyFile, key, Ct);
        await using var client = await ConnectAsync(_redis);
        await client.GetDatabase(0).StringSetAsync("there", "1");
    }

    public async ValueTask DisposeAsync()
    {
        await _redis.DisposeAsync();
        _authority.Dispose();
    }

    [Fact]
    public async Task A_backup_with_a_client_certificate_takes_a_snapshot_of_a_server_that_asks_for_one()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = TlsConfig(repo).Set("redis[0].certFile", _certFile).Set("redis[0].keyFile", _keyFile).WriteTo(Path.Combine(repo.Directory, "lifeboat.yaml"));

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task A_backup_without_a_client_certificate_is_refused_by_such_a_server_in_one_line_and_records_nothing()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = TlsConfig(repo).WriteTo(Path.Combine(repo.Directory, "lifeboat.yaml"));

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");

        Assert.Equal(1, backup.ExitCode);
        Assert.Equal(
            $"lifeboat: error: redis 'cache' (localhost:{_redis.TlsPort}) closed the TLS connection as soon as it was set up: it asks its clients for a certificate (tls-auth-clients yes, its default with TLS), and none was given. "
            + "hint: give Lifeboat a client certificate signed by an authority in the server's tls-ca-cert-file, and its key; or set tls-auth-clients no (or optional) on the server; set redis[].certFile and redis[].keyFile",
            OneLine(backup.Stderr));
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task A_certificate_file_without_its_key_is_a_configuration_error()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = TlsConfig(repo).Set("redis[0].certFile", _certFile).WriteTo(Path.Combine(repo.Directory, "lifeboat.yaml"));

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");

        Assert.Equal(2, backup.ExitCode);
        Assert.Equal($"lifeboat: error: redis[0].certFile in {config} needs redis[0].keyFile: a client certificate goes with its private key", OneLine(backup.Stderr));
    }

    [Fact]
    public async Task A_restore_over_tls_with_a_client_certificate_writes_into_a_server_that_asks_for_one()
    {
        await using var source = await StartAsync(Ct);
        await using (var client = await ConnectAsync(source))
            await client.GetDatabase(0).StringSetAsync("restored", "over tls with a client certificate");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis")).ExitCode);

        var restore = await Infrastructure.Cli.RunAsync(
            "--config", config, "restore", "redis", "--to-server", $"localhost:{_redis.TlsPort}", "--to-tls", "--to-ca-file", _authorityFile,
            "--to-cert", _certFile, "--to-key", _keyFile, "--force");

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        await using var target = await ConnectAsync(_redis);
        Assert.Equal("over tls with a client certificate", (string?)await target.GetDatabase(0).StringGetAsync("restored"));
    }

    [Fact]
    public async Task A_restore_without_a_client_certificate_fails_in_one_line_that_says_the_server_asks_for_one_and_writes_nothing()
    {
        await using var source = await StartAsync(Ct);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis")).ExitCode);

        var restore = await Infrastructure.Cli.RunAsync(
            "--config", config, "restore", "redis", "--to-server", $"localhost:{_redis.TlsPort}", "--to-tls", "--to-ca-file", _authorityFile, "--force");

        Assert.Equal(2, restore.ExitCode);
        Assert.Equal(
            $"lifeboat: error: the Redis at localhost:{_redis.TlsPort} closed the TLS connection as soon as it was set up: it asks its clients for a certificate (tls-auth-clients yes, its default with TLS), and none was given. "
            + "hint: nothing was written; give Lifeboat a client certificate signed by an authority in the server's tls-ca-cert-file, and its key; or set tls-auth-clients no (or optional) on the server; give --to-cert and --to-key",
            OneLine(restore.Stderr));
        await using var target = await ConnectAsync(_redis);
        Assert.Equal(1, (long)await target.GetDatabase(0).ExecuteAsync("DBSIZE"));
    }

    private LifeboatConfigBuilder TlsConfig(TestRepository repo) => repo.Config()
        .Set("redis[0].name", "cache")
        .Set("redis[0].host", "localhost")
        .Set("redis[0].port", _redis.TlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Set("redis[0].tls", "true")
        .Set("redis[0].caFile", _authorityFile);

    private static string OneLine(string stderr) =>
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("lifeboat: error: ", StringComparison.Ordinal));
}
