using System.Text;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// Fills a Redis 7.0 with every type and encoding it writes (strings int/raw/LZF/binary, lists as listpack, quicklist and
/// plain nodes, sets as intset and hashtable, sorted sets and hashes as listpack and hashtable, streams with consumer
/// groups and pending entries), keys with expiry times, three databases, a function library, and optionally bulk: random values in database 2.
/// </summary>
internal static class AllTypesDataset
{
    public const string Library = "lifeboatlib";
    public const long FarExpiry = 4102444800000; // 2100-01-01

    public static async Task FillAsync(IConnectionMultiplexer admin, int bulkKeys = 0, int bulkValueBytes = 0)
    {
        var db = admin.GetDatabase(0);
        var batch = new List<Task>();
        void Run(Task task) => batch.Add(task);

        Run(db.StringSetAsync("str:int", 12345));
        Run(db.StringSetAsync("str:short", "hello"));
        Run(db.StringSetAsync("str:long", string.Concat(Enumerable.Repeat("abcdefghij", 100))));
        Run(db.StringSetAsync("str:empty", ""));
        Run(db.StringSetAsync("str:binary", new byte[] { 0, 1, 0xff, 0xfe, (byte)'\r', (byte)'\n', 0, (byte)'e' }));
        Run(db.StringSetAsync("str:neg", long.MinValue));
        Run(db.ExecuteAsync("SET", "str:ttl", "expiring", "PXAT", FarExpiry));
        Run(db.StringSetAsync("str:ttl-soon", "an hour", TimeSpan.FromHours(1)));
        Run(db.ListRightPushAsync("list:small", ["a", "b", "c", 1, 2, 3]));
        Run(db.ListRightPushAsync("list:big", [.. Enumerable.Range(1, 600).Select(i => (RedisValue)$"element-{i}-{new string('x', 20)}")]));
        Run(db.ListRightPushAsync("list:plain", [new string('p', 12000), "small-after-plain"]));
        Run(db.SetAddAsync("set:int", [1, 2, 3, 100000, -5]));
        Run(db.SetAddAsync("set:small", ["red", "green", "blue"]));
        Run(db.SetAddAsync("set:big", [.. Enumerable.Range(1, 300).Select(i => (RedisValue)$"member-{i}")]));
        Run(db.SortedSetAddAsync("zset:small", [new("a", 1), new("b", 2.5), new("c", -3)]));
        Run(db.SortedSetAddAsync("zset:big", [.. Enumerable.Range(1, 300).Select(i => new SortedSetEntry($"member-{i}", i + 0.25))]));
        Run(db.HashSetAsync("hash:small", [new("f1", "v1"), new("f2", 2), new("f3", "v3")]));
        Run(db.HashSetAsync("hash:big", [.. Enumerable.Range(1, 700).Select(i => new HashEntry($"field-{i}", $"value-{i}"))]));
        await Task.WhenAll(batch);
        await db.ExecuteAsync("PEXPIREAT", "hash:big", FarExpiry);
        await AddStreamAsync(db);

        await admin.GetDatabase(1).StringSetAsync("db1:key", "one");
        await admin.GetDatabase(1).HashSetAsync("db1:hash", "a", 1);
        await admin.GetDatabase(1).StringSetAsync("db1:ttl", "soon", TimeSpan.FromMinutes(30));
        await admin.GetDatabase(5).ListRightPushAsync("db5:list", ["x", "y", "z"]);
        await db.ExecuteAsync("FUNCTION", "LOAD", $"#!lua name={Library}\nredis.register_function('echo_one', function(keys, args) return args[1] end)");

        if (bulkKeys > 0)
            await AddBulkAsync(admin.GetDatabase(2), bulkKeys, bulkValueBytes);
    }

    /// <summary>Keys with random, incompressible values, so the RDB is as large as the data.</summary>
    private static async Task AddBulkAsync(IDatabase db, int keys, int valueBytes)
    {
        var random = new Random(11);
        const int Batch = 2000;
        for (var start = 0; start < keys; start += Batch)
        {
            var sets = new List<Task>(Batch);
            for (var i = start; i < Math.Min(keys, start + Batch); i++)
            {
                var value = new byte[valueBytes];
                random.NextBytes(value);
                sets.Add(db.StringSetAsync($"bulk:{i}", value));
            }

            await Task.WhenAll(sets);
        }
    }

    /// <summary>A stream with two groups, two consumers with pending entries (one acknowledged), and one emptied by XTRIM.</summary>
    private static async Task AddStreamAsync(IDatabase db)
    {
        for (var i = 1; i <= 50; i++)
            await db.StreamAddAsync("stream:events", [new("n", i), new("kind", "event")]);
        await db.StreamCreateConsumerGroupAsync("stream:events", "workers", "0");
        await db.StreamCreateConsumerGroupAsync("stream:events", "auditors", "$");
        var read = await db.StreamReadGroupAsync("stream:events", "workers", "alice", ">", 5);
        await db.StreamReadGroupAsync("stream:events", "workers", "bob", ">", 3);
        await db.StreamAcknowledgeAsync("stream:events", "workers", read[0].Id);
        await db.StreamAddAsync("stream:empty-after-trim", "a", 1);
        await db.StreamTrimAsync("stream:empty-after-trim", 0);
        Assert.Equal(7, (await db.StreamPendingAsync("stream:events", "workers")).PendingMessageCount);
    }

    /// <summary>Every key of the listed databases with its type and absolute expiry (-1: none).</summary>
    public static async Task<List<(int Db, string Key, string Type, long ExpireAtMs)>> KeysAsync(IConnectionMultiplexer admin, params int[] databases)
    {
        var keys = new List<(int, string, string, long)>();
        var server = admin.GetServers()[0];
        foreach (var db in databases)
        {
            await foreach (var key in server.KeysAsync(db, pageSize: 1000))
            {
                var type = (string)(await admin.GetDatabase(db).ExecuteAsync("TYPE", key))!;
                var expire = (long)await admin.GetDatabase(db).ExecuteAsync("PEXPIRETIME", key);
                keys.Add((db, Encoding.UTF8.GetString((byte[])key!), type, expire));
            }
        }

        return [.. keys.OrderBy(k => k.Item1).ThenBy(k => k.Item2, StringComparer.Ordinal)];
    }
}
