namespace Lifeboat.Buckets.Index;

/// <summary>One key as the three inputs of the merge see it.</summary>
/// <param name="Key">The key.</param>
/// <param name="Listed">The listing's rows of the key, newest first.</param>
/// <param name="Previous">The previous index's records of the key, newest first.</param>
/// <param name="Overlay">Records interrupted runs stored for the key.</param>
public sealed record KeyGroup(string Key, IReadOnlyList<ListingEntry> Listed, IReadOnlyList<BucketObjectRecord> Previous, IReadOnlyList<BucketObjectRecord> Overlay);
