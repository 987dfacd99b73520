using Lifeboat.Redis.ServerRestore;
using Lifeboat.TestKit.Servers;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>Debian's redis-server 7.0 from the test kit with DEBUG enabled (DIGEST, POPULATE), and connections to it.</summary>
internal static class RedisTestServer
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<PrivateRedis> StartAsync() =>
        PrivateRedis.StartAsync(new PrivateRedisOptions { ConfigLines = ["enable-debug-command yes"] }, Ct);

    /// <summary>A connection for the test's own checks, DEBUG and SAVE included.</summary>
    public static Task<ConnectionMultiplexer> AdminAsync(PrivateRedis redis) =>
        ConnectionMultiplexer.ConnectAsync(redis.ConfigurationString + ",allowAdmin=true,syncTimeout=60000,asyncTimeout=60000");

    /// <summary>The restore's target, through a connection that allows admin commands (INFO is one to StackExchange.Redis).</summary>
    public static async Task<RestoreTarget> TargetAsync(PrivateRedis redis)
    {
        var configuration = redis.ConfigurationString + ",allowAdmin=true";
        return new(
            await ConnectionMultiplexer.ConnectAsync(configuration),
            $"the Redis at {redis.Host}:{redis.Port}",
            async _ => await ConnectionMultiplexer.ConnectAsync(configuration));
    }

    /// <summary>Saves the server's data and returns its dump.rdb's path.</summary>
    public static async Task<string> SaveAsync(PrivateRedis redis, IConnectionMultiplexer admin)
    {
        await admin.GetDatabase().ExecuteAsync("SAVE");
        return Path.Combine(redis.DataDirectory, "dump.rdb");
    }

    public static async Task<string> DigestAsync(IConnectionMultiplexer admin) =>
        (string)(await admin.GetDatabase().ExecuteAsync("DEBUG", "DIGEST"))!;

    /// <summary>Keys per database (INFO keyspace); empty when the server holds none.</summary>
    public static async Task<Dictionary<int, long>> KeyCountsAsync(IConnectionMultiplexer admin)
    {
        var counts = new Dictionary<int, long>();
        foreach (var db in Enumerable.Range(0, 16))
        {
            var size = (long)(await admin.GetDatabase(db).ExecuteAsync("DBSIZE"));
            if (size > 0)
                counts[db] = size;
        }

        return counts;
    }

    public static async Task<List<string>> LibrariesAsync(IConnectionMultiplexer admin)
    {
        var libraries = (RedisResult[])(await admin.GetDatabase().ExecuteAsync("FUNCTION", "LIST"))!;
        return [.. libraries.Select(l => (RedisResult[])l!).Select(fields => (string)fields[1]!).Order(StringComparer.Ordinal)];
    }

    public static Func<CancellationToken, Task<Stream>> Opener(string path) => _ => Task.FromResult<Stream>(File.OpenRead(path));

    public static Func<CancellationToken, Task<Stream>> Opener(byte[] rdb) => _ => Task.FromResult<Stream>(new MemoryStream(rdb, writable: false));
}
