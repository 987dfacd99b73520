using Lifeboat.Buckets.Source;

namespace Lifeboat.Buckets.Restore;

/// <summary>What a bucket restore is to bring back, from which snapshot or moment, and where to.</summary>
public sealed record BucketRestoreRequest
{
    /// <summary>The snapshot whose listed state is restored (an id, a unique prefix of one, or "latest"); null with <see cref="AsOf"/>.</summary>
    public string? SnapshotId { get; init; }

    /// <summary>The moment whose state is restored, exact to the version as far back as the snapshots' history reaches; null with <see cref="SnapshotId"/>.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>The bucket written into, and the credentials to write it; its prefix is not used (keys are restored whole).</summary>
    public required BucketEndpoint Target { get; init; }

    /// <summary>
    /// The configured source the target defaulted to, when no target bucket was named; null when one was. A snapshot
    /// taken of another bucket or prefix is then refused rather than written where it never came from.
    /// </summary>
    public ConfiguredSource? DefaultTarget { get; init; }

    /// <summary>Only keys starting with this; null for all the snapshot holds.</summary>
    public string? Prefix { get; init; }

    /// <summary>Only this key; null for all.</summary>
    public string? Key { get; init; }

    /// <summary>With <see cref="Key"/>: the version to bring back as the current object (a source version id, or ≥ 8 hex digits of its SHA-256).</summary>
    public string? Version { get; init; }

    /// <summary>Remove objects under the prefix that the snapshot did not have at that moment.</summary>
    public bool DeleteExtra { get; init; }

    /// <summary>Write into a target that already holds objects under the prefix (or, for one key, a target whose versioning is not enabled that holds the key).</summary>
    public bool Force { get; init; }

    /// <summary>Say what would be done, and write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Objects written at once (at most two of them streamed large ones).</summary>
    public int Transfers { get; init; } = BucketSource.DefaultTransfers;

    /// <summary>Refuses combinations no front end should send.</summary>
    public void Validate()
    {
        if (Version is not null && Key is null)
            throw new ArgumentException("a version is chosen for one key", nameof(Version));
        if (Version is not null && AsOf is not null)
            throw new ArgumentException("a version names its own moment", nameof(AsOf));
        if (Version is null && (SnapshotId is null) == (AsOf is null))
            throw new ArgumentException("restore either a snapshot or a moment", nameof(SnapshotId));
        if (DeleteExtra && Key is not null)
            throw new ArgumentException("one key has no extras to remove", nameof(DeleteExtra));
        ArgumentOutOfRangeException.ThrowIfLessThan(Transfers, 1);
    }
}
