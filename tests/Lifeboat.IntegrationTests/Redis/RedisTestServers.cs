using System.Globalization;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Servers;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>What the Redis CLI tests share: clients of private servers, a dataset of every type, digests, and a config naming a server.</summary>
internal static class RedisTestServers
{
    /// <summary>A server that answers DEBUG DIGEST, with the extra lines given.</summary>
    public static Task<PrivateRedis> StartAsync(CancellationToken cancellationToken, string? password = null, params string[] configLines) =>
        PrivateRedis.StartAsync(new PrivateRedisOptions { Password = password, ConfigLines = ["enable-debug-command yes", .. configLines] }, cancellationToken);

    /// <summary>A server that answers DEBUG DIGEST, with <paramref name="options"/> besides.</summary>
    public static Task<PrivateRedis> StartWithAsync(PrivateRedisOptions options, CancellationToken cancellationToken) =>
        PrivateRedis.StartAsync(options with { ConfigLines = ["enable-debug-command yes", .. options.ConfigLines] }, cancellationToken);

    /// <summary>An admin client of <paramref name="redis"/>.</summary>
    public static Task<ConnectionMultiplexer> ConnectAsync(PrivateRedis redis) =>
        ConnectionMultiplexer.ConnectAsync($"{redis.ConfigurationString},abortConnect=false,allowAdmin=true,connectTimeout=10000,syncTimeout=30000,asyncTimeout=30000");

    /// <summary>Every type, binary values, expiry times, three databases and a function library.</summary>
    public static async Task FillAsync(ConnectionMultiplexer client)
    {
        var db0 = client.GetDatabase(0);
        await db0.StringSetAsync("string:text", "hello");
        await db0.StringSetAsync("string:binary", Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
        await db0.StringSetAsync("string:int", 12345);
        await db0.StringSetAsync("string:ttl", "soon", TimeSpan.FromHours(2));
        await db0.HashSetAsync("hash:small", [new("a", "1"), new("b", "2")]);
        await db0.HashSetAsync("hash:big", [.. Enumerable.Range(0, 600).Select(i => new HashEntry($"field{i}", new string('x', i % 90)))]);
        await db0.ListRightPushAsync("list", [.. Enumerable.Range(0, 1000).Select(i => (RedisValue)$"item {i}")]);
        await db0.SetAddAsync("set:int", [.. Enumerable.Range(0, 100).Select(i => (RedisValue)i)]);
        await db0.SetAddAsync("set:text", [.. Enumerable.Range(0, 300).Select(i => (RedisValue)$"member {i}")]);
        await db0.SortedSetAddAsync("zset", [.. Enumerable.Range(0, 500).Select(i => new SortedSetEntry($"m{i}", i * 1.5))]);
        for (var i = 0; i < 50; i++)
            await db0.StreamAddAsync("stream", "n", i);
        await db0.StreamCreateConsumerGroupAsync("stream", "workers", "0-0");
        await db0.StreamReadGroupAsync("stream", "workers", "alice", ">", 10);
        await db0.KeyExpireAsync("hash:small", DateTime.UtcNow.AddDays(3));
        await client.GetDatabase(2).StringSetAsync("in-db-2", "two");
        await client.GetDatabase(5).ListRightPushAsync("in-db-5", ["a", "b"]);
        await db0.ExecuteAsync("FUNCTION", "LOAD", "#!lua name=lifeboattest\nredis.register_function('ping_lb', function() return 'pong' end)");
    }

    /// <summary>DEBUG DIGEST: one hash of every key, value and expiry time of every database.</summary>
    public static async Task<string> DigestAsync(ConnectionMultiplexer client) =>
        (string)(await client.GetDatabase().ExecuteAsync("DEBUG", "DIGEST"))!;

    /// <summary>The keys of each database, from INFO keyspace.</summary>
    public static async Task<string> KeyspaceAsync(ConnectionMultiplexer client) =>
        string.Join(' ', ((string)(await client.GetDatabase().ExecuteAsync("INFO", "keyspace"))!).Split('\n').Where(l => l.StartsWith("db", StringComparison.Ordinal)).Select(l => l.Split(',')[0].Trim()));

    /// <summary>Writes lifeboat.yaml for <paramref name="repo"/> and one redis: entry named <paramref name="name"/>; returns its path.</summary>
    public static string WriteConfig(TestRepository repo, PrivateRedis redis, string name = "cache", string? user = null, string? passwordEnv = null, int? port = null, bool tls = false, string? caFile = null, string? host = null)
    {
        var config = repo.Config()
            .Set("redis[0].name", name)
            .Set("redis[0].host", host ?? redis.Host)
            .Set("redis[0].port", (port ?? redis.Port).ToString(CultureInfo.InvariantCulture));
        if (user is not null)
            config.Set("redis[0].user", user);
        if (passwordEnv is not null)
            config.Set("redis[0].passwordEnv", passwordEnv);
        if (tls)
            config.Set("redis[0].tls", "true");
        if (caFile is not null)
            config.Set("redis[0].caFile", caFile);
        return config.WriteTo(Path.Combine(repo.Directory, "lifeboat.yaml"));
    }

    /// <summary>A new directory for files a test writes, under the test run's directory.</summary>
    public static string NewDirectory(string prefix)
    {
        var directory = TestRunDirectory.NewPath(prefix);
        Directory.CreateDirectory(directory);
        return directory;
    }
}
