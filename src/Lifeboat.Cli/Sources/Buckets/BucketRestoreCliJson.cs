using System.Text.Json.Serialization;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>What 'restore buckets --json' prints.</summary>
/// <param name="Id">The snapshot read.</param>
/// <param name="AsOf">The moment restored, or null.</param>
/// <param name="Target">s3://bucket/prefix at endpoint.</param>
/// <param name="DryRun">Nothing was written; the counts say what would have been.</param>
/// <param name="Restored">Objects written.</param>
/// <param name="RestoredBytes">Their bytes.</param>
/// <param name="SkippedUnchanged">Objects the target already held as recorded.</param>
/// <param name="MetadataFixed">Objects whose metadata, tags or storage class were rewritten in place.</param>
/// <param name="Removed">Objects removed (--delete-extra).</param>
/// <param name="ExtraKept">Objects the snapshot lacks, left in place.</param>
/// <param name="Failed">Objects not restored or not removed.</param>
/// <param name="Failures">The first of them, each with why.</param>
internal sealed record BucketRestoreSummary(
    string Id, DateTimeOffset? AsOf, string Target, bool DryRun, long Restored, long RestoredBytes, long SkippedUnchanged, long MetadataFixed,
    long Removed, long ExtraKept, long Failed, IReadOnlyList<BucketRestoreFailure> Failures);

/// <summary>One object a restore did not write or remove.</summary>
/// <param name="Key">The key.</param>
/// <param name="Error">Why.</param>
internal sealed record BucketRestoreFailure(string Key, string Error);

/// <summary>Source-generated JSON for 'restore buckets' (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(BucketRestoreSummary))]
internal sealed partial class BucketRestoreCliJson : JsonSerializerContext;
