using System.Runtime.CompilerServices;
using Lifeboat.Buckets.Index;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Restore;

/// <summary>
/// A restore's plan: the objects a snapshot says were there (key order) merge-joined with the target's listing under
/// the same prefix (key order), one step per key. Both sides stream; nothing is held but the two current rows. A
/// mirror plans the same way, with the source's listing as what is wanted and its own rule for a key on both sides.
/// </summary>
public static class RestorePlan
{
    /// <summary>The steps, in key order; a side out of order stops the plan before a wrong step could be taken.</summary>
    public static IAsyncEnumerable<PlanStep> JoinAsync(
        IAsyncEnumerable<BucketObjectRecord> wanted, IAsyncEnumerable<ListingEntry> target, CancellationToken cancellationToken) =>
        JoinAsync(wanted, target, UnchangedTargetRule.Match, cancellationToken);

    /// <summary>The steps, a key on both sides decided by <paramref name="match"/>.</summary>
    public static async IAsyncEnumerable<PlanStep> JoinAsync(
        IAsyncEnumerable<BucketObjectRecord> wanted,
        IAsyncEnumerable<ListingEntry> target,
        Func<BucketObjectRecord, ListingEntry, PlanAction> match,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var records = wanted.GetAsyncEnumerator(cancellationToken);
        await using var listing = target.GetAsyncEnumerator(cancellationToken);
        var wantedOrder = new Ascending("the snapshot's objects");
        var targetOrder = new Ascending("the target's listing");
        var hasRecord = await NextAsync(records, r => r.Key, wantedOrder);
        var hasFound = await NextAsync(listing, e => e.Key, targetOrder);
        while (hasRecord || hasFound)
        {
            var order = !hasRecord ? 1 : !hasFound ? -1 : ObjectKeyComparer.Instance.Compare(records.Current.Key, listing.Current.Key);
            if (order < 0)
            {
                yield return new PlanStep(PlanAction.Write, records.Current.Key, records.Current, null);
                hasRecord = await NextAsync(records, r => r.Key, wantedOrder);
            }
            else if (order > 0)
            {
                yield return new PlanStep(PlanAction.Extra, listing.Current.Key, null, listing.Current);
                hasFound = await NextAsync(listing, e => e.Key, targetOrder);
            }
            else
            {
                var (record, found) = (records.Current, listing.Current);
                yield return new PlanStep(match(record, found), record.Key, record, found);
                hasRecord = await NextAsync(records, r => r.Key, wantedOrder);
                hasFound = await NextAsync(listing, e => e.Key, targetOrder);
            }
        }
    }

    private static async ValueTask<bool> NextAsync<T>(IAsyncEnumerator<T> items, Func<T, string> key, Ascending order)
    {
        if (!await items.MoveNextAsync())
            return false;
        order.Check(key(items.Current));
        return true;
    }

    // Each key once, ascending: a repeated key would be written twice or taken for an extra.
    private sealed class Ascending(string stream)
    {
        private string? _previous;

        public void Check(string key)
        {
            KeyOrder.Check(_previous, key, stream);
            if (_previous == key)
                throw new LifeboatException($"{stream} holds '{key}' twice", "the listing or index cannot be trusted; nothing more was written");
            _previous = key;
        }
    }
}
