using System.Runtime.CompilerServices;

namespace Lifeboat.Buckets.Index;

/// <summary>Turns a key-sorted record stream into one list per key, checking the order.</summary>
public static class KeyGroups
{
    /// <summary>The groups of <paramref name="records"/>; <paramref name="stream"/> names it in order errors.</summary>
    public static async IAsyncEnumerable<IReadOnlyList<BucketObjectRecord>> Of(
        IAsyncEnumerable<BucketObjectRecord> records, string stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var cursor = await GroupCursor<BucketObjectRecord>.OpenAsync(records, r => r.Key, stream, cancellationToken);
        while (cursor.NextKey is { } key)
            yield return await cursor.TakeAsync(key);
    }
}
