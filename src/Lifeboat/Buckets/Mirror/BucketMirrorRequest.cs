using Lifeboat.Buckets.Source;

namespace Lifeboat.Buckets.Mirror;

/// <summary>What a mirror copies, from which configured source, into which bucket, and whether it may remove.</summary>
public sealed record BucketMirrorRequest
{
    /// <summary>The share of the target's objects one run may remove when nothing else is configured.</summary>
    public const int DefaultRemoveLimitPercent = 10;

    /// <summary>The configured source: its name (for messages), where it is, its prefix and how many transfers at once.</summary>
    public required BucketSource Source { get; init; }

    /// <summary>The bucket written into, and the credentials to write it; its prefix is not used (keys are copied whole).</summary>
    public required BucketEndpoint Target { get; init; }

    /// <summary>Only keys starting with this, within the source's configured prefix; null for all of it.</summary>
    public string? Prefix { get; init; }

    /// <summary>Remove the target's objects under the prefix that the source no longer has.</summary>
    public bool Remove { get; init; }

    /// <summary>Remove even when that is more than <see cref="RemoveLimitPercent"/> of the target, or the source lists nothing.</summary>
    public bool Force { get; init; }

    /// <summary>Say what would be done, and write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>The most of the target's objects under the prefix, in percent, that one run removes without <see cref="Force"/>.</summary>
    public int RemoveLimitPercent { get; init; } = DefaultRemoveLimitPercent;

    /// <summary>Refuses values no front end should send.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(RemoveLimitPercent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(RemoveLimitPercent, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(Source.Transfers, 1);
        if (Force && !Remove)
            throw new ArgumentException("forcing applies to removals only", nameof(Force));
    }
}
