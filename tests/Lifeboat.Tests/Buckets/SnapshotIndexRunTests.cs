using System.Text;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Index;
using Lifeboat.Storage;
using static Lifeboat.Tests.Buckets.FakeSourceBucket;

namespace Lifeboat.Tests.Buckets;

/// <summary>Runs of package A end to end on a file repository: merge, reads, seal, read back.</summary>
public sealed class SnapshotIndexRunTests : IAsyncLifetime
{
    private BucketIndexRig _rig = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _rig = await BucketIndexRig.CreateAsync(Ct);

    public async ValueTask DisposeAsync() => await _rig.DisposeAsync();

    private static readonly string[] AwkwardKeys =
    [
        "with space.txt", "a+b.txt", "100%.txt", "what?.txt", "hash#tag.txt", "double//slash.txt",
        "caf\u00e9.txt", "cafe\u0301.txt", "emoji/🚀.bin", "\uE000private-use", "Z-upper", "z-lower",
        new string('k', 998) + "é",
    ];

    [Fact]
    public async Task A_run_that_changed_nothing_writes_the_same_segments_and_root_and_uploads_nothing()
    {
        var source = new FakeSourceBucket(versioned: false, _rig.Content);
        for (var i = 0; i < 40_000; i++)
            source.Put($"objects/{i:D6}", (i % 7).ToString(System.Globalization.CultureInfo.InvariantCulture), At("2026-01-01T00:00:00Z").AddSeconds(i));
        foreach (var key in AwkwardKeys)
            source.Put(key, key, At("2026-01-02T00:00:00Z"));

        var first = await _rig.RunAsync(source.Listing(), At("2026-02-01T00:00:00Z"), versioned: false, previous: null, Ct);
        var second = await _rig.RunAsync(source.Listing(), At("2026-02-02T00:00:00Z"), versioned: false, first.Index, Ct, partitions: 4);

        Assert.True(first.Index.Root.Segments.Count > 1, "the test needs several segments");
        Assert.Equal(first.Index.Root.Segments.Count + 1, first.Uploads);
        Assert.Equal(0, second.Uploads);
        Assert.Equal(first.Index.RootObject, second.Index.RootObject);
        Assert.Empty(_rig.LastReads);
        Assert.Equal(40_000 + AwkwardKeys.Length, second.Merge.Unchanged);
        Assert.False(second.Sealed.Counts.RootUploaded);
    }

    [Fact]
    public async Task Awkward_keys_are_kept_verbatim_in_utf8_byte_order_across_partitions()
    {
        var source = new FakeSourceBucket(versioned: false, _rig.Content);
        foreach (var key in AwkwardKeys)
            source.Put(key, "x" + key, At("2026-01-02T00:00:00Z"));

        var run = await _rig.RunAsync(source.Listing(), At("2026-02-01T00:00:00Z"), versioned: false, previous: null, Ct, partitions: 4);

        var keys = run.Records.Select(r => r.Key).ToList();
        Assert.Equal(AwkwardKeys.Order(ObjectKeyComparer.Instance), keys);
        Assert.Contains("caf\u00e9.txt", keys);
        Assert.Contains("cafe\u0301.txt", keys);
        Assert.All(run.Records, r => Assert.Equal(BucketIndexRig.ShaOf(Encoding.UTF8.GetBytes("x" + r.Key)), r.Sha256));
    }

    [Fact]
    public async Task Several_versions_and_delete_markers_of_one_key_are_each_exact_as_of_their_moment()
    {
        var source = new FakeSourceBucket(versioned: true, _rig.Content);
        var v1 = source.Put("doc.txt", "one", At("2026-03-01T10:00:00.001Z"));
        var v2 = source.Put("doc.txt", "two", At("2026-03-01T11:00:00Z"));
        var first = await _rig.RunAsync(source.Listing(), At("2026-03-01T12:00:00Z"), versioned: true, previous: null, Ct);
        var v3 = source.Put("doc.txt", "three", At("2026-03-01T13:00:00Z"));
        source.Delete("doc.txt", At("2026-03-01T14:00:00Z"));
        var v4 = source.Put("doc.txt", "four", At("2026-03-01T15:00:00Z"));
        source.RemoveVersion("doc.txt", v1); // expired by the source's lifecycle: Lifeboat keeps it

        var second = await _rig.RunAsync(source.Listing(), At("2026-03-01T16:00:00Z"), versioned: true, first.Index, Ct);

        Assert.Equal([v3, v4], _rig.LastReads.Select(r => r.Entry.VersionId).Order(StringComparer.Ordinal));
        var group = second.Of("doc.txt");
        Assert.Equal(v1, PointInTimeView.StateAt(group, At("2026-03-01T10:30:00Z"))?.VersionId);
        Assert.Equal(v2, PointInTimeView.StateAt(group, At("2026-03-01T11:00:00Z"))?.VersionId);
        Assert.Equal(v3, PointInTimeView.StateAt(group, At("2026-03-01T13:59:59.999Z"))?.VersionId);
        Assert.Null(PointInTimeView.StateAt(group, At("2026-03-01T14:30:00Z")));
        Assert.Equal(v4, PointInTimeView.StateAt(group, At("2026-03-01T15:00:00Z"))?.VersionId);
        Assert.Null(PointInTimeView.StateAt(group, At("2026-03-01T10:00:00Z")));
        Assert.Equal(At("2026-03-01T16:00:00Z"), group.Single(r => r.VersionId == v1).GoneFromSourceAt);
        Assert.Equal(BucketIndexRig.ShaOf(BucketIndexRig.Bytes("four")), group[0].Sha256);
        Assert.True(group[0].Latest);
        Assert.All(group.Skip(1), r => Assert.False(r.Latest));
    }

    [Fact]
    public async Task A_version_deleted_for_good_at_the_source_stops_counting_as_current_from_the_run_that_missed_it()
    {
        var source = new FakeSourceBucket(versioned: true, _rig.Content);
        var v1 = source.Put("k", "one", At("2026-03-01T10:00:00Z"));
        var v2 = source.Put("k", "two", At("2026-03-01T11:00:00Z"));
        var first = await _rig.RunAsync(source.Listing(), At("2026-03-01T12:00:00Z"), versioned: true, previous: null, Ct);
        source.RemoveVersion("k", v2);

        var second = await _rig.RunAsync(source.Listing(), At("2026-03-02T00:00:00Z"), versioned: true, first.Index, Ct);

        var group = second.Of("k");
        Assert.Equal(v2, PointInTimeView.StateAt(group, At("2026-03-01T23:00:00Z"))?.VersionId);
        Assert.Equal(v1, PointInTimeView.StateAt(group, At("2026-03-02T00:00:00Z"))?.VersionId);
        Assert.Equal(v1, Assert.Single(await Current(second)).VersionId);
    }

    [Fact]
    public async Task An_unversioned_source_gets_history_of_overwrites_and_deletes_from_lifeboat()
    {
        var source = new FakeSourceBucket(versioned: false, _rig.Content);
        source.Put("a", "a1", At("2026-05-01T00:00:00Z"));
        source.Put("b", "b1", At("2026-05-01T00:00:00Z"));
        source.Put("c", "c1", At("2026-05-01T00:00:00Z"));
        var first = await _rig.RunAsync(source.Listing(), At("2026-05-02T00:00:00Z"), versioned: false, previous: null, Ct);
        source.Put("a", "a2", At("2026-05-03T00:00:00Z"));
        source.Delete("b", At("2026-05-03T00:00:00Z"));
        source.Put("d", "d1", At("2026-05-03T00:00:00Z"));

        var second = await _rig.RunAsync(source.Listing(), At("2026-05-04T00:00:00Z"), versioned: false, first.Index, Ct);

        Assert.Equal(["a", "d"], _rig.LastReads.Select(r => r.Entry.Key));
        var between = await AsOf(second, At("2026-05-02T12:00:00Z"));
        Assert.Equal(["a", "b", "c"], between.Select(r => r.Key));
        Assert.Equal(BucketIndexRig.ShaOf(BucketIndexRig.Bytes("a1")), between[0].Sha256);
        var after = await AsOf(second, At("2026-05-03T12:00:00Z"));
        Assert.Equal(["a", "b", "c", "d"], after.Select(r => r.Key)); // the delete is known only from the run that missed it
        Assert.Equal(["a", "c", "d"], (await AsOf(second, At("2026-05-04T00:00:00Z"))).Select(r => r.Key));
        Assert.Equal(["a", "c", "d"], (await Current(second)).Select(r => r.Key));
        var b = second.Of("b");
        Assert.True(b[0].Synthesized && b[0].DeleteMarker && b[0].Latest);
        Assert.Equal(At("2026-05-04T00:00:00Z"), b[0].LastModified);

        var third = await _rig.RunAsync(source.Listing(), At("2026-05-05T00:00:00Z"), versioned: false, second.Index, Ct);

        Assert.Equal(second.Index.RootObject, third.Index.RootObject);
        Assert.Equal(0, third.Uploads);
    }

    [Fact]
    public async Task A_key_back_on_an_unversioned_source_ends_lifeboats_delete_marker()
    {
        var source = new FakeSourceBucket(versioned: false, _rig.Content);
        source.Put("b", "b1", At("2026-05-01T00:00:00Z"));
        var first = await _rig.RunAsync(source.Listing(), At("2026-05-02T00:00:00Z"), versioned: false, previous: null, Ct);
        source.Delete("b", At("2026-05-02T12:00:00Z"));
        var second = await _rig.RunAsync(source.Listing(), At("2026-05-03T00:00:00Z"), versioned: false, first.Index, Ct);
        source.Put("b", "b2", At("2026-05-03T12:00:00Z"));

        var third = await _rig.RunAsync(source.Listing(), At("2026-05-04T00:00:00Z"), versioned: false, second.Index, Ct);

        var group = third.Of("b");
        Assert.Equal([false, true, false], group.Select(r => r.DeleteMarker));
        Assert.Equal([true, false, false], group.Select(r => r.Latest));
        Assert.Null(PointInTimeView.StateAt(group, At("2026-05-03T06:00:00Z")));
        Assert.Equal(BucketIndexRig.ShaOf(BucketIndexRig.Bytes("b1")), PointInTimeView.StateAt(group, At("2026-05-02T23:00:00Z"))?.Sha256);
    }

    [Fact]
    public async Task History_older_than_ninety_days_is_trimmed_and_a_marker_with_nothing_older_goes_with_it()
    {
        var source = new FakeSourceBucket(versioned: false, _rig.Content);
        source.Put("kept", "k1", At("2026-01-01T00:00:00Z"));
        source.Put("gone", "g1", At("2026-01-01T00:00:00Z"));
        var first = await _rig.RunAsync(source.Listing(), At("2026-01-02T00:00:00Z"), versioned: false, previous: null, Ct);
        source.Put("kept", "k2", At("2026-01-03T00:00:00Z"));
        source.Delete("gone", At("2026-01-03T00:00:00Z"));
        var second = await _rig.RunAsync(source.Listing(), At("2026-01-04T00:00:00Z"), versioned: false, first.Index, Ct);
        Assert.Equal(2, second.Of("kept").Count);
        Assert.Equal(2, second.Of("gone").Count);

        var day92 = await _rig.RunAsync(source.Listing(), At("2026-04-03T00:00:00Z"), versioned: false, second.Index, Ct);
        Assert.Equal(2, day92.Of("kept").Count); // non-current since 01-03, 90 days before 04-03: still kept

        var day95 = await _rig.RunAsync(source.Listing(), At("2026-04-06T00:00:00Z"), versioned: false, day92.Index, Ct);

        Assert.Single(day95.Of("kept"));
        Assert.Empty(day95.Of("gone"));
        Assert.Equal(3, day95.Sealed.Counts.Trimmed);
        Assert.Equal(1, day95.Sealed.Counts.Objects);
    }

    [Fact]
    public async Task An_object_gone_between_listing_and_read_is_counted_and_the_run_goes_on()
    {
        var source = new FakeSourceBucket(versioned: false, _rig.Content);
        source.Put("a", "a1", At("2026-05-01T00:00:00Z"));
        source.Put("b", "b1", At("2026-05-01T00:00:00Z"));
        var first = await _rig.RunAsync(source.Listing(), At("2026-05-02T00:00:00Z"), versioned: false, previous: null, Ct);
        source.Put("a", "a2", At("2026-05-03T00:00:00Z"));
        source.Put("new", "n1", At("2026-05-03T00:00:00Z"));
        var listing = source.Listing();
        _rig.Content.Remove(("a", BucketObjectRecord.NullVersion));
        _rig.Content.Remove(("new", BucketObjectRecord.NullVersion));

        var second = await _rig.RunAsync(listing, At("2026-05-04T00:00:00Z"), versioned: false, first.Index, Ct);

        Assert.Equal(2, second.Sealed.Counts.GoneWhileReading);
        Assert.Equal(["a", "new"], second.Sealed.Counts.GoneWhileReadingKeys);
        Assert.Empty(second.Of("new"));
        var a = second.Of("a");
        Assert.True(a[0].Synthesized && a[0].DeleteMarker);
        Assert.Equal(["b"], (await Current(second)).Select(r => r.Key));
    }

    [Fact]
    public async Task What_an_interrupted_run_read_is_reused_without_reading_again()
    {
        var source = new FakeSourceBucket(versioned: true, _rig.Content);
        source.Put("a", "a1", At("2026-05-01T00:00:00Z"));
        source.Put("b", "b1", At("2026-05-01T00:00:00Z"));
        var listing = source.Listing();
        var journaled = new BucketObjectRecord
        {
            Key = "b",
            VersionId = listing[1].VersionId,
            LastModified = listing[1].LastModified,
            Size = listing[1].Size,
            ETag = listing[1].ETag,
            Sha256 = BucketIndexRig.ShaOf(BucketIndexRig.Bytes("b1")),
        };

        var run = await _rig.RunAsync(listing, At("2026-05-02T00:00:00Z"), versioned: true, previous: null, Ct, overlay: [journaled]);

        Assert.Equal(["a"], _rig.LastReads.Select(r => r.Entry.Key));
        Assert.Equal(1, run.Merge.ReusedFromInterruptedRuns);
        Assert.Equal(journaled.Sha256, run.Of("b").Single().Sha256);
        Assert.True(run.Of("b").Single().Latest);
    }

    [Fact]
    public async Task The_reader_gives_one_key_group_or_a_key_range_from_the_segments_that_hold_them()
    {
        var source = new FakeSourceBucket(versioned: false, _rig.Content);
        for (var i = 0; i < 40_000; i++)
            source.Put($"k{i:D6}", "x", At("2026-01-01T00:00:00Z"));
        var run = await _rig.RunAsync(source.Listing(), At("2026-02-01T00:00:00Z"), versioned: false, previous: null, Ct);
        var middle = run.Index.Root.Segments[1];

        var group = await _rig.Reader.ReadKeyAsync(run.Index.Root, middle.LastKey, Ct);
        var range = new List<string>();
        await foreach (var record in _rig.Reader.ReadRangeAsync(run.Index.Root, new KeyRange("k010000", "k010005"), Ct))
            range.Add(record.Key);

        Assert.Equal(middle.LastKey, Assert.Single(group).Key);
        Assert.Empty(await _rig.Reader.ReadKeyAsync(run.Index.Root, "k0100005", Ct));
        Assert.Equal(["k010001", "k010002", "k010003", "k010004", "k010005"], range);
    }

    [Fact]
    public async Task A_listing_out_of_order_fails_the_run_naming_both_keys()
    {
        var t = At("2026-01-01T00:00:00Z");
        ListingEntry[] listing = [new("b", "null", true, false, t, 1, "e"), new("a", "null", true, false, t, 1, "e")];

        var error = await Assert.ThrowsAsync<LifeboatException>(() => _rig.RunAsync(listing, t, versioned: false, previous: null, Ct));

        Assert.Contains("'a' came after 'b'", error.Message, StringComparison.Ordinal);
        Assert.Contains("the source listing", error.Message, StringComparison.Ordinal);
    }

    private async Task<List<BucketObjectRecord>> AsOf(RunResult run, DateTimeOffset t)
    {
        var found = new List<BucketObjectRecord>();
        await foreach (var record in PointInTimeView.AsOfAsync(_rig.Reader.ReadAllAsync(run.Index.Root, Ct), t, RecordFilter.All, Ct))
            found.Add(record);
        return found;
    }

    private async Task<List<BucketObjectRecord>> Current(RunResult run)
    {
        var found = new List<BucketObjectRecord>();
        await foreach (var record in PointInTimeView.AtSnapshotAsync(_rig.Reader.ReadAllAsync(run.Index.Root, Ct), RecordFilter.All, Ct))
            found.Add(record);
        return found;
    }
}
