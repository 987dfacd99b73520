using Lifeboat.Storage;

namespace Lifeboat.Buckets.Index;

/// <summary>The check every sorted stream gets: keys never go down. A merge-join over unsorted input would be silently wrong.</summary>
public static class KeyOrder
{
    /// <summary>Throws, naming both keys and <paramref name="stream"/>, when <paramref name="key"/> sorts before <paramref name="previous"/>.</summary>
    public static void Check(string? previous, string key, string stream)
    {
        if (previous is null || ObjectKeyComparer.Instance.Compare(previous, key) <= 0)
            return;
        throw new LifeboatException(
            $"{stream} is out of order: '{key}' came after '{previous}', but keys must ascend by their UTF-8 bytes",
            "the listing or index cannot be trusted to be complete; the run stopped before recording anything");
    }
}
