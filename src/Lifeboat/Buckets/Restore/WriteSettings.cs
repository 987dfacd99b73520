namespace Lifeboat.Buckets.Restore;

/// <summary>How the phases that write into a bucket go about it, for a restore or a mirror.</summary>
/// <param name="Transfers">Objects written or looked at at once.</param>
/// <param name="DryRun">Count what would be done, and write nothing.</param>
/// <param name="RemoveExtras">Remove the target's objects that are not wanted; otherwise only count them.</param>
/// <param name="Written">What a written object is called in a failure's message ("restored", "copied").</param>
internal sealed record WriteSettings(int Transfers, bool DryRun, bool RemoveExtras, string Written);
