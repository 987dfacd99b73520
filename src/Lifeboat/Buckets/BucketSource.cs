using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Source;

namespace Lifeboat.Buckets;

/// <summary>One configured source bucket: the name its snapshots are filed under, where it is, and how a run treats it.</summary>
public sealed record BucketSource
{
    /// <summary>Transfers when none are configured: I/O-bound work on two cores (design §4.5).</summary>
    public const int DefaultTransfers = 8;

    /// <summary>The name snapshots are filed under (buckets/&lt;name&gt;/…).</summary>
    public required string Name { get; init; }

    /// <summary>Where the bucket is and the credentials to read it.</summary>
    public required BucketEndpoint Endpoint { get; init; }

    /// <summary>Objects read and stored at once.</summary>
    public int Transfers { get; init; } = DefaultTransfers;

    /// <summary>Days history is kept after a version stopped being current.</summary>
    public int NoncurrentDays { get; init; } = NoncurrentRetention.DefaultNoncurrentDays;

    /// <summary>"buckets 'name' (s3://bucket/prefix at endpoint)", for messages.</summary>
    public string Describe() => $"{BucketSnapshotInfo.SourceType} '{Name}' ({Endpoint.Describe()})";
}
