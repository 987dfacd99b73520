namespace Lifeboat.Buckets.Index;

/// <summary>
/// The streaming three-way join of one partition: source listing ⋈ previous index ⋈ records of interrupted runs, one
/// key group at a time, into a draft. Each input must ascend by key (checked; a disorder fails the run naming both keys).
/// Memory holds one key group, whatever the number of keys.
/// </summary>
public sealed class ListingMerge(MergeSettings settings, ReadTickets tickets)
{
    /// <summary>
    /// Runs the join; every row that needs a read gets a ticket and goes to <paramref name="read"/> (which may wait, to
    /// bound the reads in flight), and its pending record goes to the draft. The draft is completed at the end.
    /// </summary>
    public async Task<MergeCounts> RunAsync(
        IAsyncEnumerable<ListingEntry> listing,
        IAsyncEnumerable<BucketObjectRecord> previous,
        IAsyncEnumerable<BucketObjectRecord> overlay,
        DraftIndexFile draft,
        Func<ReadRequest, CancellationToken, ValueTask> read,
        CancellationToken cancellationToken)
    {
        var counts = new MergeCounts();
        await using var listed = await GroupCursor<ListingEntry>.OpenAsync(listing, e => e.Key, "the source listing", cancellationToken);
        await using var indexed = await GroupCursor<BucketObjectRecord>.OpenAsync(previous, r => r.Key, "the previous index", cancellationToken);
        await using var interrupted = await GroupCursor<BucketObjectRecord>.OpenAsync(overlay, r => r.Key, "the records of interrupted runs", cancellationToken);
        while (GroupCursor<ListingEntry>.Smallest(listed.NextKey, indexed.NextKey, interrupted.NextKey) is { } key)
        {
            var group = new KeyGroup(key, await listed.TakeAsync(key), await indexed.TakeAsync(key), await interrupted.TakeAsync(key));
            if (group.Listed.Count == 0 && group.Previous.Count == 0)
                continue; // an interrupted run's record of a key that is gone again: nothing to reuse it for
            foreach (var step in KeyGroupChanges.Apply(group, settings, counts))
                await WriteAsync(step, draft, read, cancellationToken);
        }

        await draft.CompleteAsync(cancellationToken);
        return counts;
    }

    private async Task WriteAsync(MergeStep step, DraftIndexFile draft, Func<ReadRequest, CancellationToken, ValueTask> read, CancellationToken cancellationToken)
    {
        if (step.ReadOf is not { } entry)
        {
            await draft.WriteAsync(new DraftEntry(step.Record), cancellationToken);
            return;
        }

        var ticket = tickets.Next();
        await draft.WriteAsync(new DraftEntry(step.Record, ticket), cancellationToken);
        await read(new ReadRequest(ticket, entry), cancellationToken);
    }
}
