namespace Lifeboat.Redis.ServerRestore;

/// <summary>The RDB version a Redis release reads and writes (rdb.h RDB_VERSION of each release).</summary>
public static class RedisRdbVersion
{
    /// <summary>The RDB version of Redis <paramref name="redisVersion"/> ("7.0.15"); null when it does not parse.</summary>
    public static int? Of(string redisVersion)
    {
        var parts = redisVersion.Split('.');
        if (parts.Length < 2 || !int.TryParse(parts[0], out var major) || !int.TryParse(parts[1], out var minor))
            return null;
        return (major, minor) switch
        {
            ( > 7, _) or (7, >= 4) => 12,
            (7, >= 2) => 11,
            (7, _) => 10,
            (5 or 6, _) => 9,
            (4, _) => 8,
            (3, >= 2) => 7,
            _ => 6,
        };
    }

    /// <summary>
    /// The oldest Redis release that loads RDB <paramref name="rdbVersion"/> ("7.4" for 12): a server refuses an RDB
    /// newer than its own version. Null for a version newer than this table knows.
    /// </summary>
    public static string? OldestRedisThatLoads(int rdbVersion) => rdbVersion switch
    {
        <= 6 => "2.6",
        7 => "3.2",
        8 => "4.0",
        9 => "5.0",
        10 => "7.0",
        11 => "7.2",
        12 => "7.4",
        _ => null,
    };
}
