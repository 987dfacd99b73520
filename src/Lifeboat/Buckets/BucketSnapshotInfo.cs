using System.Text.Json;
using Lifeboat.Repository;

namespace Lifeboat.Buckets;

/// <summary>What a bucket snapshot records in its manifest: when it listed, how far back its history is exact, and its totals.</summary>
public sealed record BucketSnapshotInfo
{
    /// <summary>The source type of bucket backups: the first folder of their keys.</summary>
    public const string SourceType = "buckets";

    /// <summary>The kind of a bucket snapshot's manifest.</summary>
    public const string Kind = "snapshot";

    /// <summary>Version of this record.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>The source bucket's name.</summary>
    public required string Bucket { get; init; }

    /// <summary>The key prefix backed up, or null for the whole bucket.</summary>
    public string? Prefix { get; init; }

    /// <summary>The source was listed by version (versioning enabled or suspended).</summary>
    public required bool Versioned { get; init; }

    /// <summary>When the run's listing began (UTC).</summary>
    public required DateTimeOffset ListedAt { get; init; }

    /// <summary>The oldest moment an as-of restore from this snapshot is exact for.</summary>
    public required DateTimeOffset HistoryFrom { get; init; }

    /// <summary>The first moment this chain of snapshots knows of (an unversioned source's first listing); null when the source's versioning reaches further.</summary>
    public DateTimeOffset? HistoryStartedAt { get; init; }

    /// <summary>Days history was kept after a record stopped being current.</summary>
    public required int NoncurrentDays { get; init; }

    /// <summary>Current objects.</summary>
    public long Objects { get; init; }

    /// <summary>Records: versions and delete markers, history included.</summary>
    public long Versions { get; init; }

    /// <summary>Bytes of the current objects.</summary>
    public long Bytes { get; init; }

    /// <summary>Bytes this run added to the repository.</summary>
    public long NewBytesStored { get; init; }

    /// <summary>Index segments.</summary>
    public int IndexSegments { get; init; }

    /// <summary>Objects found gone between listing and read.</summary>
    public long GoneWhileReading { get; init; }

    /// <summary>The first keys found gone between listing and read.</summary>
    public IReadOnlyList<string> GoneWhileReadingKeys { get; init; } = [];

    /// <summary>The server has been seen to send x-amz-tagging-count, so its absence means no tags.</summary>
    public bool TagCountHeaderSeen { get; init; }

    /// <summary>This record as a manifest's details.</summary>
    public JsonElement ToDetails() => BackupManifest.DetailsOf(this, BucketsJson.Default.BucketSnapshotInfo);

    /// <summary>The details of a bucket snapshot's manifest; a manifest of another kind is refused by name.</summary>
    public static BucketSnapshotInfo Of(BackupManifest manifest)
    {
        if (manifest.Source != SourceType || manifest.Kind != Kind)
        {
            throw new LifeboatException(
                $"backup {manifest.Id} is a {manifest.Source} {manifest.Kind} backup of '{manifest.Name}', not a bucket snapshot",
                "choose a bucket snapshot",
                FailureKind.Usage);
        }

        return manifest.DetailsAs(BucketsJson.Default.BucketSnapshotInfo);
    }
}
