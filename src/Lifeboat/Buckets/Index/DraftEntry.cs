namespace Lifeboat.Buckets.Index;

/// <summary>One line of a draft: a finished record, or one still waiting for the read its ticket names.</summary>
/// <param name="Record">The record; a pending one holds only what the listing said.</param>
/// <param name="Ticket">The read's ticket when pending; null when the record is final.</param>
public readonly record struct DraftEntry(BucketObjectRecord Record, long? Ticket = null)
{
    /// <summary>True while the record waits for its read.</summary>
    public bool IsPending => Ticket is not null;
}
