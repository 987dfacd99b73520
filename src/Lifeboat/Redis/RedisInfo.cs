using System.Globalization;

namespace Lifeboat.Redis;

/// <summary>What INFO says of a Redis server, as "field:value" lines; sections ("# Server") and blank lines ignored.</summary>
public sealed class RedisInfo
{
    private readonly Dictionary<string, string> _fields;

    private RedisInfo(Dictionary<string, string> fields) => _fields = fields;

    /// <summary>Reads INFO's text.</summary>
    public static RedisInfo Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] == '#' || colon <= 0)
                continue;
            fields[line[..colon]] = line[(colon + 1)..];
        }

        return new RedisInfo(fields);
    }

    /// <summary>redis_version, e.g. "7.0.15"; "unknown" when INFO does not say.</summary>
    public string Version => Text("redis_version") ?? "unknown";

    /// <summary>role: master or slave.</summary>
    public string Role => Text("role") ?? "unknown";

    /// <summary>used_memory in bytes, or null.</summary>
    public long? UsedMemory => Number("used_memory");

    /// <summary>aof_enabled: whether the server keeps an append-only file.</summary>
    public bool AofEnabled => Text("aof_enabled") == "1";

    /// <summary>The number of a field, or null when it is missing or no whole number.</summary>
    public long? Number(string field) =>
        Text(field) is { } text && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A field's value, or null.</summary>
    public string? Text(string field) => _fields.GetValueOrDefault(field);

    /// <summary>The keyspace section: "db0:keys=3,expires=1,avg_ttl=0" for each database with keys.</summary>
    public IReadOnlyList<RedisKeyspace> Keyspace()
    {
        var databases = new List<RedisKeyspace>();
        foreach (var (field, value) in _fields)
        {
            if (!field.StartsWith("db", StringComparison.Ordinal) || !int.TryParse(field.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var db))
                continue;
            var parts = value.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            databases.Add(new RedisKeyspace(db, Count(parts, "keys"), Count(parts, "expires")));
        }

        return [.. databases.OrderBy(d => d.Database)];
    }

    private static long Count(Dictionary<string, string> parts, string name) =>
        parts.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
}

/// <summary>One database of INFO keyspace.</summary>
/// <param name="Database">Its number.</param>
/// <param name="Keys">Keys in it.</param>
/// <param name="Expires">Keys with an expiry time.</param>
public sealed record RedisKeyspace(int Database, long Keys, long Expires);
