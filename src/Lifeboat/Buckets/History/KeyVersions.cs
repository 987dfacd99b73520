using Lifeboat.Buckets.Index;

namespace Lifeboat.Buckets.History;

/// <summary>One key's history as 'versions' shows it: the rows, where Lifeboat's side came from, and what could not be looked at.</summary>
/// <param name="Key">The key.</param>
/// <param name="Rows">Its versions and delete markers, newest first.</param>
/// <param name="Snapshot">The snapshot Lifeboat's history was read from; null when there is none of this bucket.</param>
/// <param name="SourceFailure">Why the source could not be listed; null when it was. Without the source, "at source" is unknown.</param>
/// <param name="Notes">What the reader should know about the rows (the key lies outside the backed-up prefix, the snapshots are of another bucket).</param>
public sealed record KeyVersions(string Key, IReadOnlyList<KeyVersion> Rows, string? Snapshot, LifeboatException? SourceFailure, IReadOnlyList<string> Notes)
{
    /// <summary>True when the source was listed, so each row's "at source" is known.</summary>
    public bool SourceListed => SourceFailure is null;
}
