using System.Globalization;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>The RDB 11 files in tests/Lifeboat.Tests/TestData/redis (written by Redis 7.2.6), read from the source tree.</summary>
internal static class TestFiles
{
    public sealed record ExpectedKey(int Db, string Key, string Type, long ExpireAtMs, string Digest);

    public static byte[] AllTypes72 => File.ReadAllBytes(PathOf("all-types-7.2.rdb"));

    public static IReadOnlyList<ExpectedKey> ExpectedKeys72() =>
        [.. File.ReadAllLines(PathOf("all-types-7.2.keys.tsv"))
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
