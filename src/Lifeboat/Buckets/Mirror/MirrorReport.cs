using Lifeboat.Buckets.Restore;

namespace Lifeboat.Buckets.Mirror;

/// <summary>What a mirror did, or with a dry run would do: copied, metadata fixed, skipped unchanged, removed (or refused), gone, failed.</summary>
public sealed record MirrorReport
{
    /// <summary>"s3://bucket/prefix at endpoint" of the source, for messages.</summary>
    public required string Source { get; init; }

    /// <summary>"s3://bucket/prefix at endpoint" of the target, for messages.</summary>
    public required string Target { get; init; }

    /// <summary>Nothing was written: the counts say what would have been.</summary>
    public bool DryRun { get; init; }

    /// <summary>Objects copied.</summary>
    public long Copied { get; init; }

    /// <summary>Their bytes.</summary>
    public long CopiedBytes { get; init; }

    /// <summary>Objects whose bytes the target held but whose headers, metadata, tags or storage class were rewritten.</summary>
    public long MetadataFixed { get; init; }

    /// <summary>Objects the target already held as the source does.</summary>
    public long SkippedUnchanged { get; init; }

    /// <summary>Objects removed from the target because the source no longer has them.</summary>
    public long Removed { get; init; }

    /// <summary>Objects the source no longer has, left in the target (no removal was asked for).</summary>
    public long ExtraKept { get; init; }

    /// <summary>Objects the source no longer has whose removal <see cref="RemovalRefusal"/> refused: left in the target.</summary>
    public long RemovalsRefused { get; init; }

    /// <summary>
    /// Why the removals asked for were refused (beyond the allowed share of the target, or for a source that lists
    /// nothing), as the error to end the run with once the rest was mirrored; null when none were refused.
    /// </summary>
    public LifeboatException? RemovalRefusal { get; init; }

    /// <summary>Objects listed at the source but deleted there before they were read: not copied, and not a failure.</summary>
    public long Gone { get; init; }

    /// <summary>Objects not copied or not removed.</summary>
    public long Failed { get; init; }

    /// <summary>The first failures, each with its key and error.</summary>
    public IReadOnlyList<RestoreFailure> Failures { get; init; } = [];

    /// <summary>The report of <paramref name="counts"/>.</summary>
    internal static MirrorReport Of(TallyCounts counts, string source, string target, bool dryRun) => new()
    {
        Source = source,
        Target = target,
        DryRun = dryRun,
        Copied = counts.Written,
        CopiedBytes = counts.WrittenBytes,
        MetadataFixed = counts.Fixed,
        SkippedUnchanged = counts.Skipped,
        Removed = counts.Removed,
        ExtraKept = counts.ExtraKept,
        Gone = counts.Gone,
        Failed = counts.Failed,
        Failures = counts.Failures,
    };
}
