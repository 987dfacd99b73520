using Lifeboat.Storage;

namespace Lifeboat.Buckets.Index;

/// <summary>The keys after <see cref="StartAfter"/> up to and including <see cref="EndAt"/>; null ends are open.</summary>
/// <param name="StartAfter">Keys must be greater than this; null for the first key.</param>
/// <param name="EndAt">Keys must be at most this; null for the last key.</param>
public readonly record struct KeyRange(string? StartAfter, string? EndAt)
{
    /// <summary>Every key.</summary>
    public static KeyRange All => default;

    /// <summary>True when <paramref name="key"/> lies before the range.</summary>
    public bool IsBefore(string key) => StartAfter is not null && ObjectKeyComparer.Instance.Compare(key, StartAfter) <= 0;

    /// <summary>True when <paramref name="key"/> lies past the range.</summary>
    public bool IsPast(string key) => EndAt is not null && ObjectKeyComparer.Instance.Compare(key, EndAt) > 0;

    /// <summary>True when <paramref name="key"/> lies in the range.</summary>
    public bool Contains(string key) => !IsBefore(key) && !IsPast(key);

    /// <summary>True when some key from <paramref name="first"/> to <paramref name="last"/> may lie in the range.</summary>
    public bool Overlaps(string first, string last) => !IsBefore(last) && !IsPast(first);
}
