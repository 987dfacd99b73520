using System.Text.Json.Serialization;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>What 'mirror --json' prints.</summary>
/// <param name="Source">s3://bucket/prefix at endpoint, read.</param>
/// <param name="Target">s3://bucket/prefix at endpoint, written.</param>
/// <param name="DryRun">Nothing was written; the counts say what would have been.</param>
/// <param name="Copied">Objects copied.</param>
/// <param name="CopiedBytes">Their bytes.</param>
/// <param name="MetadataFixed">Objects whose headers, metadata, tags or storage class were rewritten in place.</param>
/// <param name="SkippedUnchanged">Objects the target already held as the source does.</param>
/// <param name="Removed">Objects removed because the source no longer has them (--remove).</param>
/// <param name="ExtraKept">Objects the source no longer has, left in the target (no --remove).</param>
/// <param name="RemovalsRefused">Objects the source no longer has whose removal was refused (beyond buckets[].mirrorRemoveLimitPercent, or a source that lists nothing).</param>
/// <param name="RemovalRefused">Why, when they were refused; the command then exits 2.</param>
/// <param name="Gone">Objects deleted at the source between its listing and their read.</param>
/// <param name="Failed">Objects not copied or not removed.</param>
/// <param name="Failures">The first of them, each with why.</param>
internal sealed record MirrorSummary(
    string Source, string Target, bool DryRun, long Copied, long CopiedBytes, long MetadataFixed, long SkippedUnchanged, long Removed, long ExtraKept,
    long RemovalsRefused, string? RemovalRefused, long Gone, long Failed, IReadOnlyList<BucketRestoreFailure> Failures);

/// <summary>Source-generated JSON for 'mirror' (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(MirrorSummary))]
internal sealed partial class MirrorCliJson : JsonSerializerContext;
