using System.Text.Json.Serialization;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>What 'versions --json' prints: one key's history from the source and from Lifeboat.</summary>
/// <param name="Key">The key.</param>
/// <param name="Snapshot">The snapshot Lifeboat's side was read from, or null when there is none of this bucket.</param>
/// <param name="SourceListed">False when the source could not be listed: then every atSource is null.</param>
/// <param name="SourceError">Why the source could not be listed, or null.</param>
/// <param name="Notes">What the reader should know about the rows.</param>
/// <param name="Versions">The versions and delete markers, newest first.</param>
internal sealed record BucketVersionsSummary(
    string Key, string? Snapshot, bool SourceListed, string? SourceError, IReadOnlyList<string> Notes, IReadOnlyList<BucketVersionSummary> Versions);

/// <summary>One version or delete marker of a key.</summary>
/// <param name="VersionId">The source's version id, or "null" (unversioned).</param>
/// <param name="LastModified">When it was written (for a delete marker Lifeboat made: when the run noticed the key gone).</param>
/// <param name="Size">Bytes.</param>
/// <param name="Sha256">Its content's SHA-256 when Lifeboat holds it.</param>
/// <param name="State">"current", "non-current" or "delete-marker".</param>
/// <param name="AtSource">The source still holds it; null when the source was not listed.</param>
/// <param name="InLifeboat">The newest snapshot holds it.</param>
/// <param name="Synthesized">A delete marker Lifeboat made for a key gone from an unversioned source.</param>
internal sealed record BucketVersionSummary(
    string VersionId, DateTimeOffset LastModified, long Size, string? Sha256, string State, bool? AtSource, bool InLifeboat, bool Synthesized);

/// <summary>Source-generated JSON for the bucket history commands' output (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(BucketVersionsSummary))]
internal sealed partial class BucketVersionsJson : JsonSerializerContext;
