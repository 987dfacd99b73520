using System.Globalization;
using System.Text;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>The RDB files Redis 7.2.6 wrote for these tests and what they hold (TestData/redis/make-rdb.sh).</summary>
internal static class RdbTestFiles
{
    public const string AllTypes = "all-types-7.2.rdb";
    public const string AllTypesLfu = "all-types-lfu-7.2.rdb";
    public const string AllTypesLru = "all-types-lru-7.2.rdb";
    public const string NoCompressNoChecksum = "all-types-nocompress-nochecksum-7.2.rdb";

    /// <summary>Hashes with field expiry times beside other keys, written by Redis 7.4.1 (make-hash-field-expiry-rdb.sh).</summary>
    public const string HashFieldExpiry = "hash-field-expiry-7.4.rdb";

    /// <summary>One line of all-types-7.2.keys.tsv: a key, its type and encoding, absolute expiry (-1: none) and DEBUG DIGEST-VALUE.</summary>
    public sealed record ExpectedKey(int Db, string Key, string Type, string Encoding, long ExpireAtMs, string Digest);

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "redis", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static IReadOnlyList<ExpectedKey> ExpectedKeys(string file = "all-types-7.2.keys.tsv") =>
        File.ReadAllLines(PathOf(file))
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(f => new ExpectedKey(int.Parse(f[0], CultureInfo.InvariantCulture), f[1], f[2], f[3], long.Parse(f[4], CultureInfo.InvariantCulture), f[5]))
            .ToList();

    /// <summary>hash-field-expiry-7.4.dumps.tsv: each key's DUMP payload from the server that wrote the file, in lowercase hex.</summary>
    public static IReadOnlyList<(int Db, string Key, string Payload)> HashFieldExpiryDumps() =>
        File.ReadAllLines(PathOf("hash-field-expiry-7.4.dumps.tsv"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(f => (int.Parse(f[0], CultureInfo.InvariantCulture), f[1], f[2]))
            .ToList();

    /// <summary>Every entry of an RDB; key values copied, as the reader's are valid only until its next read.</summary>
    public static async Task<List<RdbEntry>> ReadAllAsync(byte[] rdb, bool keepValues = true)
    {
        using var reader = await RdbReader.OpenAsync(new MemoryStream(rdb), "the test RDB", keepValues, TestContext.Current.CancellationToken);
        var entries = new List<RdbEntry>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken) is { } entry)
            entries.Add(entry is RdbKeyValue key ? key with { Value = key.Value.ToArray() } : entry);
        return entries;
    }

    public static string KeyText(RdbKeyValue key) => Encoding.UTF8.GetString(key.Key);
}
