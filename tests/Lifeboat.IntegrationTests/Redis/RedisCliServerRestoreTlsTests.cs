using Lifeboat.IntegrationTests.Infrastructure;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// 'restore redis --to-server --to-tls' against a server that serves TLS with a certificate for 'localhost' from its own
/// authority: with that authority the keys are restored (revocation is not checked, as a private authority publishes no
/// list); a certificate from another authority, or a host the certificate does not name, fails in one line of
/// Lifeboat's own words and writes nothing.
/// </summary>
public sealed class RedisCliServerRestoreTlsTests(RedisTlsServerFixture fixture) : IClassFixture<RedisTlsServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_restore_over_tls_trusting_the_servers_authority_writes_the_keys()
    {
        var (repo, config, key) = await BackedUpAsync();
        await using var _repo = repo;

        var restore = await RestoreAsync(config, "localhost", fixture.AuthorityFile);

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        await using var target = await ConnectAsync(fixture.Redis);
        Assert.Equal("restored over tls", (string?)await target.GetDatabase(0).StringGetAsync(key));
    }

    [Fact]
    public async Task A_certificate_from_another_authority_fails_in_one_line_naming_the_file_and_writes_nothing()
    {
        var (repo, config, key) = await BackedUpAsync();
        await using var _repo = repo;

        var restore = await RestoreAsync(config, "localhost", fixture.StrangerFile);

        Assert.Equal(1, restore.ExitCode);
        Assert.StartsWith(
            $"lifeboat: error: the Redis at localhost:{fixture.Redis.TlsPort} presented a TLS certificate Lifeboat does not trust: its certificate (CN=lifeboat test server) does not chain to a certificate authority in {fixture.StrangerFile} (",
            OneLine(restore.Stderr),
            StringComparison.Ordinal);
        Assert.EndsWith("hint: nothing was written; give the CA file of the authority that signed the server's certificate, and connect by a name the certificate carries; check --to-tls and --to-ca-file", OneLine(restore.Stderr), StringComparison.Ordinal);
        await using var target = await ConnectAsync(fixture.Redis);
        Assert.False(await target.GetDatabase(0).KeyExistsAsync(key));
    }

    [Fact]
    public async Task A_host_the_certificate_does_not_name_fails_in_one_line_saying_which_names_it_carries_and_writes_nothing()
    {
        var (repo, config, key) = await BackedUpAsync();
        await using var _repo = repo;

        var restore = await RestoreAsync(config, "127.0.0.1", fixture.AuthorityFile);

        Assert.Equal(1, restore.ExitCode);
        Assert.StartsWith(
            $"lifeboat: error: the Redis at 127.0.0.1:{fixture.Redis.TlsPort} presented a TLS certificate Lifeboat does not trust: its certificate (CN=lifeboat test server) is not for host '127.0.0.1' (it names localhost)",
            OneLine(restore.Stderr),
            StringComparison.Ordinal);
        await using var target = await ConnectAsync(fixture.Redis);
        Assert.False(await target.GetDatabase(0).KeyExistsAsync(key));
    }

    // A backup of a plain server holding one key of its own, to restore beside the TLS server's keys (--force).
    private static async Task<(TestRepository Repo, string Config, string Key)> BackedUpAsync()
    {
        await using var source = await StartAsync(Ct);
        await using (var client = await ConnectAsync(source))
        {
            var key = $"tls-restore:{Guid.NewGuid():N}";
            await client.GetDatabase(0).StringSetAsync(key, "restored over tls");
            var repo = await TestRepository.CreateLocalAsync();
            var config = WriteConfig(repo, source);
            var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
            Assert.True(backup.ExitCode == 0, backup.Stderr);
            return (repo, config, key);
        }
    }

    private Task<Infrastructure.Cli.Result> RestoreAsync(string config, string host, string caFile) =>
        Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", $"{host}:{fixture.Redis.TlsPort}", "--to-tls", "--to-ca-file", caFile, "--force");

    private static string OneLine(string stderr) =>
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("lifeboat: error: ", StringComparison.Ordinal));
}
