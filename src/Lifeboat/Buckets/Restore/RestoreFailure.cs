namespace Lifeboat.Buckets.Restore;

/// <summary>An object a restore did not write or remove, and why; the restore went on with the others.</summary>
/// <param name="Key">The key.</param>
/// <param name="Error">What failed: damaged or missing stored content, or the target refusing the object.</param>
/// <param name="Removal">The object was to be removed, not written.</param>
public sealed record RestoreFailure(string Key, LifeboatException Error, bool Removal = false);
