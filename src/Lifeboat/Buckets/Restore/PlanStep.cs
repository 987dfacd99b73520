namespace Lifeboat.Buckets.Restore;

/// <summary>One step of a restore's plan, in key order.</summary>
/// <param name="Action">What to do.</param>
/// <param name="Key">The key.</param>
/// <param name="Wanted">The object as recorded; null for <see cref="PlanAction.Extra"/>.</param>
/// <param name="Found">The target's listing of the key; null when it has none.</param>
public sealed record PlanStep(PlanAction Action, string Key, BucketObjectRecord? Wanted, ListingEntry? Found);
