namespace Lifeboat.Buckets.Restore;

/// <summary>What a bucket restore did, or with a dry run would do (design §5: restored, skipped unchanged, metadata fixed, removed, failed).</summary>
public sealed record RestoreReport
{
    /// <summary>The snapshot read.</summary>
    public required string SnapshotId { get; init; }

    /// <summary>The moment restored; null for a snapshot's own listed state or one version.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>"s3://bucket/prefix at endpoint" of the target, for messages.</summary>
    public required string Target { get; init; }

    /// <summary>Nothing was written: the counts say what would have been.</summary>
    public bool DryRun { get; init; }

    /// <summary>Objects written.</summary>
    public long Restored { get; init; }

    /// <summary>Their bytes.</summary>
    public long RestoredBytes { get; init; }

    /// <summary>Objects the target already held as recorded.</summary>
    public long SkippedUnchanged { get; init; }

    /// <summary>Objects whose bytes the target held but whose metadata, tags or storage class were rewritten.</summary>
    public long MetadataFixed { get; init; }

    /// <summary>Objects removed because the snapshot did not have them at that moment.</summary>
    public long Removed { get; init; }

    /// <summary>Objects under the prefix the snapshot did not have, left in place (no removal was asked for).</summary>
    public long ExtraKept { get; init; }

    /// <summary>Objects not restored or not removed.</summary>
    public long Failed { get; init; }

    /// <summary>With a dry run: why the restore itself would be refused (the target holds objects and force was not given); else null.</summary>
    public LifeboatException? Refusal { get; init; }

    /// <summary>The first failures, each with its key and error.</summary>
    public IReadOnlyList<RestoreFailure> Failures { get; init; } = [];
}
