using System.Globalization;
using Lifeboat.Buckets;
using Lifeboat.Cli.Output;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>What a bucket snapshot recorded, as 'show' and 'list' print it: the source, its history and its totals.</summary>
internal static class BucketSnapshotDescription
{
    /// <summary>The snapshot's sections; null for a kind of bucket backup this build does not know.</summary>
    public static IReadOnlyList<DetailSection>? Of(BackupManifest manifest)
    {
        if (manifest.Kind != BucketSnapshotInfo.Kind)
            return null;
        var info = BucketSnapshotInfo.Of(manifest);
        var sections = new List<DetailSection> { Source(info), Totals(info) };
        if (info.GoneWhileReading > 0)
            sections.Add(DetailSection.Facts($"gone while reading ({Count(info.GoneWhileReading)}, recorded as deleted)", info.GoneWhileReadingKeys.Select((key, i) => ((i + 1).ToString(CultureInfo.InvariantCulture), key))));
        return sections;
    }

    /// <summary>"1,234 objects, 1,300 versions" for 'list' (its SIZE is the objects' bytes, STORED the new bytes), null for another kind or when the details do not read.</summary>
    public static string? KindDetail(BackupManifest manifest)
    {
        if (manifest.Kind != BucketSnapshotInfo.Kind)
            return null;
        try
        {
            var info = BucketSnapshotInfo.Of(manifest);
            return $"{Count(info.Objects)} objects, {Count(info.Versions)} versions";
        }
        catch (DamagedRecordException)
        {
            return null; // the listing warns about the details once, from the summary fields
        }
    }

    private static DetailSection Source(BucketSnapshotInfo info) => DetailSection.Facts(
        "bucket",
        ("bucket", info.Bucket),
        ("prefix", info.Prefix ?? "(whole bucket)"),
        ("versioning", info.Versioned ? "on: every version and delete marker recorded" : "off: Lifeboat keeps the history of what it saw"),
        ("listed at", Time(info.ListedAt)),
        ("as-of exact from", Time(info.HistoryFrom)),
        ("history kept", $"{Count(info.NoncurrentDays)} days after a version stopped being current"));

    private static DetailSection Totals(BucketSnapshotInfo info) => DetailSection.Facts(
        "contents",
        ("objects", Count(info.Objects)),
        ("bytes", $"{ByteSize.Format(info.Bytes)} ({Count(info.Bytes)} bytes)"),
        ("versions", $"{Count(info.Versions)} (history and delete markers included)"),
        ("new bytes stored", $"{ByteSize.Format(info.NewBytesStored)} ({Count(info.NewBytesStored)} bytes)"),
        ("index segments", Count(info.IndexSegments)));

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
