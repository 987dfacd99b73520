using Lifeboat.Buckets;
using Lifeboat.Buckets.Check;
using Lifeboat.Buckets.History;
using Lifeboat.Buckets.Index;

namespace Lifeboat.Tests.Buckets;

/// <summary>The pure logic behind 'versions', 'cat' of one object and 'check' of an index root's table.</summary>
public sealed class BucketViewLogicTests
{
    private const string Sha1 = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string Sha2 = "2222222222222222222222222222222222222222222222222222222222222222";

    private static readonly BucketObjectRecord Marker = new() { Key = "k", VersionId = "m3", Latest = true, DeleteMarker = true, LastModified = At("2026-05-03T00:00:00Z") };
    private static readonly BucketObjectRecord Second = new() { Key = "k", VersionId = "v2", LastModified = At("2026-05-02T00:00:00Z"), Size = 2, ETag = "e2", Sha256 = Sha2 };
    private static readonly BucketObjectRecord First = new() { Key = "k", VersionId = "v1", LastModified = At("2026-05-01T00:00:00Z"), Size = 1, ETag = "e1", Sha256 = Sha1 };

    [Fact]
    public void Without_a_version_cat_takes_the_object_the_snapshot_listed_as_current()
    {
        var current = Second with { Latest = true };

        Assert.Same(current, SnapshotObject.Choose([current, First], "S", "k", null));
    }

    [Fact]
    public void A_version_is_found_by_its_id_or_by_eight_or_more_digits_of_its_sha()
    {
        Assert.Same(First, SnapshotObject.Choose([Marker, Second, First], "S", "k", "v1"));
        Assert.Same(Second, SnapshotObject.Choose([Marker, Second, First], "S", "k", Sha2[..8]));
    }

    [Fact]
    public void A_key_deleted_at_the_snapshot_is_refused_naming_it_and_pointing_at_its_versions()
    {
        var error = Assert.Throws<LifeboatException>(() => SnapshotObject.Choose([Marker, Second, First], "S", "photos/a b.jpg", null));

        Assert.Equal("'photos/a b.jpg' was deleted when snapshot S was taken (delete marker of 2026-05-03T00:00:00.000Z)", error.Message);
        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal(RemedyAction.ListKeyVersions, error.Remedy?.Action);
    }

    [Fact]
    public void A_delete_marker_named_as_a_version_is_refused_as_having_no_content()
    {
        var error = Assert.Throws<LifeboatException>(() => SnapshotObject.Choose([Marker, Second, First], "S", "k", "m3"));

        Assert.StartsWith("version 'm3' of 'k' is a delete marker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_or_key_the_snapshot_lacks_is_a_usage_error_naming_both()
    {
        var version = Assert.Throws<LifeboatException>(() => SnapshotObject.Choose([Second with { Latest = true }], "S", "k", "v9"));
        var key = Assert.Throws<LifeboatException>(() => SnapshotObject.Choose([], "S", "nope", null));

        Assert.Equal("snapshot S holds no version 'v9' of 'k'", version.Message);
        Assert.Equal("snapshot S holds no object 'nope'", key.Message);
        Assert.Equal((FailureKind.Usage, FailureKind.Usage), (version.Kind, key.Kind));
    }

    [Fact]
    public void A_sound_root_table_has_no_problems()
    {
        Assert.Empty(IndexRootOrder.Problems([Segment(Sha1, "a", "c"), Segment(Sha2, "d", "d")]));
        Assert.Empty(IndexRootOrder.Problems([]));
    }

    [Fact]
    public void A_root_whose_segments_overlap_or_run_backwards_is_out_of_order_naming_the_keys()
    {
        var problems = IndexRootOrder.Problems([Segment(Sha1, "a", "c"), Segment(Sha2, "c", "b")]);

        Assert.Equal(
            [
                "segment 2 starts at 'c', after its last key 'b'",
                "segment 2 starts at 'c', not after the last key 'c' of segment 1",
            ],
            problems);
    }

    [Fact]
    public void A_root_segment_without_a_sha_name_or_records_is_a_problem()
    {
        var problems = IndexRootOrder.Problems([new IndexSegment("x", "a", "a", 0, 10)]);

        Assert.Equal(["segment 1 is named 'x', not a SHA-256", "segment 1 holds 0 records"], problems);
    }

    [Fact]
    public void Keys_order_by_their_utf8_bytes_in_a_root_table_as_in_the_index()
    {
        // 'Z' (0x5A) sorts before 'a' (0x61), and 'é' (0xC3 0xA9) after 'z': a culture's order would say otherwise.
        Assert.Empty(IndexRootOrder.Problems([Segment(Sha1, "Z", "Z"), Segment(Sha2, "a", "z"), Segment(Sha1, "é", "é")]));
        Assert.NotEmpty(IndexRootOrder.Problems([Segment(Sha1, "é", "é"), Segment(Sha2, "z", "z")]));
    }

    private static IndexSegment Segment(string sha, string first, string last) => new(sha, first, last, 1, 100);

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
