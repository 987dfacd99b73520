using System.Globalization;
using System.Net.Sockets;
using System.Text;
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

        await withPassword.GetDatabase().StringSetAsync("k", "v");

        Assert.Equal("v", (string?)await withPassword.GetDatabase().StringGetAsync("k"));
        Assert.StartsWith("-NOAUTH", await ReplyWithoutPasswordAsync(redis, "GET k"), StringComparison.Ordinal);
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
    public async Task A_private_redis_whose_port_another_server_holds_starts_on_another_port_and_serves_as_itself()
    {
        await using var holder = await PrivateRedis.StartAsync(Ct);
        var ports = new Queue<int>([holder.Port]);

        await using var redis = await PrivateRedis.StartAsync(new PrivateRedisOptions(), () => ports.TryDequeue(out var taken) ? taken : FreeTcpPort.Pick(), Ct);
        await using var client = await ConnectAsync(redis.ConfigurationString);

        Assert.NotEqual(holder.Port, redis.Port);
        Assert.Equal(redis.ProcessId, await ServerProcessIdAsync(client));
    }

    [Fact]
    public async Task A_private_redis_with_a_password_serves_as_its_own_process()
    {
        await using var redis = await PrivateRedis.StartAsync(new PrivateRedisOptions { Password = "pass with \"quotes\" and spaces" }, Ct);
        await using var client = await ConnectAsync(redis.ConfigurationString);

        Assert.Equal(redis.ProcessId, await ServerProcessIdAsync(client));
    }

    [Fact]
    public async Task Disposing_a_private_redis_ends_its_process_and_removes_its_directory()
    {
        var redis = await PrivateRedis.StartAsync(Ct);
        var pid = redis.ProcessId;

        await redis.DisposeAsync();

        Assert.False(LinuxProcess.IsAlive(pid), $"redis-server {pid} still runs");
        Assert.False(Directory.Exists(redis.Directory));
    }

    [Fact]
    public async Task The_pid_file_of_a_running_private_redis_is_recognised_as_naming_its_process()
    {
        await using var redis = await PrivateRedis.StartAsync(Ct);

        var verified = PrivateRedis.VerifiedPid(redis.Directory);

        Assert.Equal(redis.ProcessId, verified);
    }

    private static async Task<int> ServerProcessIdAsync(ConnectionMultiplexer client)
    {
        var info = (string)(await client.GetDatabase().ExecuteAsync("INFO", "server"))!;
        var line = info.Split('\n').Single(l => l.StartsWith("process_id:", StringComparison.Ordinal));
        return int.Parse(line["process_id:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    // Over a bare socket, not a client library's: whether its error names NOAUTH depends on whether its own
    // handshake had failed yet when the command timed out, which a busy machine decides.
    private static async Task<string> ReplyWithoutPasswordAsync(PrivateRedis redis, string inlineCommand)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(redis.Host, redis.Port, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(inlineCommand + "\r\n"), Ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync(Ct) ?? "(connection closed)";
    }

    // allowAdmin: CONFIG GET is an admin command to StackExchange.Redis.
    private static Task<ConnectionMultiplexer> ConnectAsync(string configuration) =>
        ConnectionMultiplexer.ConnectAsync(
            $"{configuration},abortConnect=false,allowAdmin=true,connectTimeout=10000,syncTimeout=10000,asyncTimeout=10000");
}
