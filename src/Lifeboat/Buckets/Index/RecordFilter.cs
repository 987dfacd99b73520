namespace Lifeboat.Buckets.Index;

/// <summary>Which keys a restore or view takes: all, those under a prefix, or one key.</summary>
/// <param name="Prefix">Keys must start with this (ordinal); null for all.</param>
/// <param name="Key">Only this key; null for all.</param>
public sealed record RecordFilter(string? Prefix = null, string? Key = null)
{
    /// <summary>Every key.</summary>
    public static RecordFilter All { get; } = new();

    /// <summary>True when <paramref name="key"/> is taken.</summary>
    public bool Takes(string key) =>
        (Key is null || key == Key) && (Prefix is null || key.StartsWith(Prefix, StringComparison.Ordinal));

    /// <summary>The key range that holds every taken key, so a reader can skip the rest.</summary>
    public KeyRange Range => Key is not null ? new KeyRange(null, Key) : KeyRange.All;
}
