namespace Lifeboat.Buckets;

/// <summary>A listed version whose content and attributes must be read; its outcome comes back under the same ticket.</summary>
/// <param name="Ticket">Dense, run-wide number of the read (0, 1, 2, …), the key of its <see cref="ReadOutcome"/>.</param>
/// <param name="Entry">The listing row: key, version (read by version unless it is the null version) and listed identity.</param>
public sealed record ReadRequest(long Ticket, ListingEntry Entry);
