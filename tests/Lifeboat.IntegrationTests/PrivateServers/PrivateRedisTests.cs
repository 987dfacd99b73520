using Lifeboat.TestKit.Servers;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.PrivateServers;

/// <summary>Redis servers of a test's own: their own port, password, settings and data.</summary>
public sealed class PrivateRedisTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_private_redis_answers_ping()
    {
        await using var redis = await PrivateRedis.StartAsync(Ct);
        await using var client = await ConnectAsync(redis.ConfigurationString);

        Assert.Equal("PONG", (string?)await client.GetDatabase().ExecuteAsync("PING"));
    }

    [Fact]
    public async Task A_private_redis_with_a_password_serves_only_clients_that_give_it()
    {
        await using var redis = await PrivateRedis.StartAsync(new PrivateRedisOptions { Password = "s3cret pass" }, Ct);
        await using var withPassword = await ConnectAsync(redis.ConfigurationString);
        // A short timeout: the refused client only waits for the server's NOAUTH.
        await using var without = await ConnectAsync($"{redis.Host}:{redis.Port}", timeoutMs: 1000);

        await withPassword.GetDatabase().StringSetAsync("k", "v");

        Assert.Equal("v", (string?)await withPassword.GetDatabase().StringGetAsync("k"));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => without.GetDatabase().StringGetAsync("k"));
        Assert.Contains("NOAUTH", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extra_config_lines_given_to_the_server_are_in_effect()
    {
        await using var redis = await PrivateRedis.StartAsync(new PrivateRedisOptions { ConfigLines = ["appendonly yes", "maxmemory-policy allkeys-lru"] }, Ct);
        await using var client = await ConnectAsync(redis.ConfigurationString);

        var appendOnly = (string[])(await client.GetDatabase().ExecuteAsync("CONFIG", "GET", "appendonly"))!;
        var policy = (string[])(await client.GetDatabase().ExecuteAsync("CONFIG", "GET", "maxmemory-policy"))!;

        Assert.Equal(["appendonly", "yes"], appendOnly);
        Assert.Equal(["maxmemory-policy", "allkeys-lru"], policy);
    }

    [Fact]
    public async Task Two_private_redis_servers_run_at_once_and_keep_their_own_data()
    {
        await using var first = await PrivateRedis.StartAsync(Ct);
        await using var second = await PrivateRedis.StartAsync(Ct);
        await using var firstClient = await ConnectAsync(first.ConfigurationString);
        await using var secondClient = await ConnectAsync(second.ConfigurationString);

        await firstClient.GetDatabase().StringSetAsync("only-here", "1");

        Assert.NotEqual(first.Port, second.Port);
        Assert.True(await firstClient.GetDatabase().KeyExistsAsync("only-here"));
        Assert.False(await secondClient.GetDatabase().KeyExistsAsync("only-here"));
    }

    [Fact]
    public async Task Disposing_a_private_redis_stops_it_and_removes_its_directory()
    {
        var redis = await PrivateRedis.StartAsync(Ct);

        await redis.DisposeAsync();

        Assert.False(redis.IsRunning);
        Assert.False(Directory.Exists(redis.Directory));
        using var probe = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync(redis.Host, redis.Port, Ct).AsTask());
    }

    // allowAdmin: CONFIG GET is an admin command to StackExchange.Redis.
    private static Task<ConnectionMultiplexer> ConnectAsync(string configuration, int timeoutMs = 10_000) =>
        ConnectionMultiplexer.ConnectAsync(
            $"{configuration},abortConnect=false,allowAdmin=true,connectTimeout={timeoutMs},syncTimeout={timeoutMs},asyncTimeout={timeoutMs}");
}
