using System.Text.Json;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Index;
using Lifeboat.Repository;
using static Lifeboat.Tests.Buckets.FakeSourceBucket;

namespace Lifeboat.Tests.Buckets;

/// <summary>The small pieces of the index: boundaries, root, partitions, retention, the chooser, key history.</summary>
public sealed class IndexPiecesTests
{
    [Fact]
    public void A_segment_never_ends_before_512_records_and_always_ends_at_32768()
    {
        var keys = Enumerable.Range(0, 200_000).Select(i => $"key-{i}").ToList();

        Assert.DoesNotContain(keys, k => IndexSegmentBoundary.EndsAfter(k, IndexSegmentBoundary.MinRecords - 1));
        Assert.All(keys.Take(100), k => Assert.True(IndexSegmentBoundary.EndsAfter(k, IndexSegmentBoundary.MaxRecords)));
        var cuts = keys.Count(k => IndexSegmentBoundary.EndsAfter(k, IndexSegmentBoundary.MinRecords));
        Assert.InRange(cuts, 200_000 / IndexSegmentBoundary.Spacing / 2, 200_000 / IndexSegmentBoundary.Spacing * 2);
    }

    [Fact]
    public void A_root_reads_back_as_written_and_its_name_is_the_hash_of_its_bytes()
    {
        var root = new IndexRoot([new IndexSegment(new string('1', 64), "a", "m é", 10, 900), new IndexSegment(new string('2', 64), "n", "z", 5, 400)]);
        var bytes = root.ToJson();

        var read = IndexRoot.Parse(bytes, "roots/x");

        Assert.Equal(root.Segments, read.Segments);
        Assert.Equal(15, read.Records);
        Assert.Equal(IndexRoot.NameOf(bytes), IndexRoot.NameOf(read.ToJson()));
        Assert.StartsWith("""{"formatVersion":1,"records":15,"segments":[{"sha256":"111""", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_whose_counts_disagree_is_damaged()
    {
        var bytes = """{"formatVersion":1,"records":99,"segments":[{"sha256":"1","firstKey":"a","lastKey":"b","records":1,"bytes":1}]}"""u8.ToArray();

        var error = Assert.Throws<DamagedRecordException>(() => IndexRoot.Parse(bytes, "roots/x"));

        Assert.Contains("roots/x", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Partitions_cut_at_segment_ends_balanced_by_records_and_cover_every_key()
    {
        var segments = Enumerable.Range(0, 8).Select(i => new IndexSegment($"{i}", $"k{i}a", $"k{i}z", 100, 1)).ToList();

        var ranges = ListingPartitions.Cut(new IndexRoot(segments), 4);

        Assert.Equal([new KeyRange(null, "k1z"), new KeyRange("k1z", "k3z"), new KeyRange("k3z", "k5z"), new KeyRange("k5z", null)], ranges);
        Assert.Equal([KeyRange.All], ListingPartitions.Cut(null));
        Assert.Equal([KeyRange.All], ListingPartitions.Cut(new IndexRoot(segments.Take(1).ToList())));
    }

    [Fact]
    public void History_from_is_the_retention_cutoff_or_the_first_listing_of_an_unversioned_source()
    {
        var listedAt = At("2026-06-01T00:00:00Z");

        Assert.Equal(At("2026-03-03T00:00:00Z"), new NoncurrentRetention(listedAt, 90, null).HistoryFrom);
        Assert.Equal(At("2026-05-01T00:00:00Z"), new NoncurrentRetention(listedAt, 90, At("2026-05-01T00:00:00Z")).HistoryFrom);
        Assert.Equal(At("2026-03-03T00:00:00Z"), new NoncurrentRetention(listedAt, 90, At("2026-01-01T00:00:00Z")).HistoryFrom);
    }

    [Fact]
    public void The_chooser_takes_the_newest_snapshot_reaching_back_and_says_when_the_moment_is_after_it()
    {
        SnapshotCandidate[] snapshots = [Snapshot("old", "2026-01-01", "2025-10-03"), Snapshot("new", "2026-02-01", "2026-01-15")];

        Assert.Equal("new", SnapshotChooser.Choose(snapshots, At("2026-01-20T00:00:00Z"), "assets").Snapshot.Id);
        Assert.Equal("old", SnapshotChooser.Choose(snapshots, At("2025-12-01T00:00:00Z"), "assets").Snapshot.Id);
        Assert.False(SnapshotChooser.Choose(snapshots, At("2026-01-20T00:00:00Z"), "assets").AfterLastListing);
        Assert.True(SnapshotChooser.Choose(snapshots, At("2026-03-01T00:00:00Z"), "assets").AfterLastListing);
        var error = Assert.Throws<LifeboatException>(() => SnapshotChooser.Choose(snapshots, At("2025-01-01T00:00:00Z"), "assets"));
        Assert.Contains("the oldest moment held is 2025-10-03T00:00:00.000Z", error.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Usage, error.Kind);
    }

    [Fact]
    public void Key_history_shows_source_versions_and_what_only_lifeboat_still_holds()
    {
        var t = At("2026-01-01T00:00:00Z");
        ListingEntry[] source = [new("k", "v3", true, false, t.AddHours(3), 3, "e3"), new("k", "v2", false, true, t.AddHours(2), 0, null)];
        BucketObjectRecord[] lifeboat =
        [
            new() { Key = "k", VersionId = "v3", Latest = true, LastModified = t.AddHours(3), Size = 3, ETag = "e3", Sha256 = "s3" },
            new() { Key = "k", VersionId = "v2", DeleteMarker = true, LastModified = t.AddHours(2) },
            new() { Key = "k", VersionId = "v1", LastModified = t.AddHours(1), Size = 1, ETag = "e1", Sha256 = "s1", GoneFromSourceAt = t.AddDays(1) },
        ];

        var rows = KeyHistory.Merge(source, lifeboat);

        Assert.Equal(["v3", "v2", "v1"], rows.Select(r => r.VersionId));
        Assert.Equal([VersionState.Current, VersionState.DeleteMarker, VersionState.NonCurrent], rows.Select(r => r.State));
        Assert.Equal([true, true, false], rows.Select(r => r.AtSource));
        Assert.All(rows, r => Assert.True(r.InLifeboat));
        Assert.Equal("s3", rows[0].Sha256);
    }

    [Fact]
    public void A_version_is_found_by_its_id_or_by_eight_hex_digits_of_its_content()
    {
        var t = At("2026-01-01T00:00:00Z");
        BucketObjectRecord[] group =
        [
            new() { Key = "k", VersionId = "null", Latest = true, LastModified = t.AddHours(2), Sha256 = "abcdef0123" + new string('0', 54) },
            new() { Key = "k", VersionId = "null", LastModified = t.AddHours(1), Sha256 = "0123456789" + new string('0', 54) },
        ];

        Assert.Same(group[1], PointInTimeView.FindVersion(group, "01234567"));
        Assert.Null(PointInTimeView.FindVersion(group, "0123456"));
        Assert.Null(PointInTimeView.FindVersion(group, "null"));
    }

    [Fact]
    public void Snapshot_details_round_trip_through_a_manifest()
    {
        var info = new BucketSnapshotInfo
        {
            Bucket = "uploads",
            Versioned = true,
            ListedAt = At("2026-06-01T00:00:00Z"),
            HistoryFrom = At("2026-03-03T00:00:00Z"),
            NoncurrentDays = 90,
            Objects = 3,
            Versions = 5,
            Bytes = 10,
            NewBytesStored = 4,
            IndexSegments = 1,
            GoneWhileReadingKeys = ["x"],
            TagCountHeaderSeen = true,
        };
        var manifest = new BackupManifest
        {
            Id = BackupId.New(info.ListedAt).Value,
            Source = BucketSnapshotInfo.SourceType,
            Name = "uploads",
            Kind = BucketSnapshotInfo.Kind,
            StartedAt = info.ListedAt,
            FinishedAt = info.ListedAt,
            Objects = [],
            Details = info.ToDetails(),
        };

        var read = BucketSnapshotInfo.Of(manifest);

        Assert.Equal(info with { GoneWhileReadingKeys = [] }, read with { GoneWhileReadingKeys = [] });
        Assert.Equal(["x"], read.GoneWhileReadingKeys);
        Assert.Equal("uploads", manifest.Details!.Value.GetProperty("bucket").GetString());
        Assert.Equal(JsonValueKind.Undefined, manifest.Details!.Value.TryGetProperty("prefix", out var p) ? p.ValueKind : JsonValueKind.Undefined);
    }

    private static SnapshotCandidate Snapshot(string id, string listedAt, string historyFrom) => new(id, new BucketSnapshotInfo
    {
        Bucket = "b",
        Versioned = true,
        ListedAt = At(listedAt + "T00:00:00Z"),
        HistoryFrom = At(historyFrom + "T00:00:00Z"),
        NoncurrentDays = 90,
    });
}
