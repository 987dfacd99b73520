using System.Globalization;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// The RDB files in tests/Lifeboat.Tests/TestData/redis (RDB 11 written by Redis 7.2.6, RDB 12 by Redis 7.4.1), read from
/// the source tree.
/// </summary>
internal static class TestFiles
{
    public sealed record ExpectedKey(int Db, string Key, string Type, long ExpireAtMs, string Digest);

    public static byte[] AllTypes72 => File.ReadAllBytes(PathOf("all-types-7.2.rdb"));

    /// <summary>Hashes with field expiry times beside plain hashes and a string, in databases 0 and 2.</summary>
    public static byte[] HashFieldExpiry74 => File.ReadAllBytes(PathOf("hash-field-expiry-7.4.rdb"));

    public static IReadOnlyList<ExpectedKey> ExpectedKeys72() => ExpectedKeys("all-types-7.2.keys.tsv");

    public static IReadOnlyList<ExpectedKey> ExpectedKeys74() => ExpectedKeys("hash-field-expiry-7.4.keys.tsv");

    private static IReadOnlyList<ExpectedKey> ExpectedKeys(string file) =>
        [.. File.ReadAllLines(PathOf(file))
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(f => new ExpectedKey(int.Parse(f[0], CultureInfo.InvariantCulture), f[1], f[2], long.Parse(f[4], CultureInfo.InvariantCulture), f[5]))];

    private static string PathOf(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Lifeboat.Tests", "TestData", "redis", name);
            if (File.Exists(candidate))
                return candidate;
        }

        throw new FileNotFoundException($"tests/Lifeboat.Tests/TestData/redis/{name} not found above {AppContext.BaseDirectory}");
    }
}
