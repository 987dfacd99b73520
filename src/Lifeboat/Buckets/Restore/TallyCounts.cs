namespace Lifeboat.Buckets.Restore;

/// <summary>The counts of a restore or mirror at one moment: what was written, skipped, fixed, removed, kept, gone and failed.</summary>
/// <param name="Written">Objects written.</param>
/// <param name="WrittenBytes">Their bytes.</param>
/// <param name="Skipped">Objects the target already held as wanted.</param>
/// <param name="Fixed">Objects whose metadata, tags or storage class were rewritten.</param>
/// <param name="Removed">Objects removed.</param>
/// <param name="ExtraKept">Objects not wanted, left in place.</param>
/// <param name="Gone">Objects the source no longer had when they were read (a mirror's).</param>
/// <param name="Failed">Objects not written or not removed.</param>
/// <param name="Failures">The first failures, in key order.</param>
internal sealed record TallyCounts(long Written, long WrittenBytes, long Skipped, long Fixed, long Removed, long ExtraKept, long Gone, long Failed, IReadOnlyList<RestoreFailure> Failures);
