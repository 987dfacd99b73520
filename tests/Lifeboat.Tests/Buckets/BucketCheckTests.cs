using Lifeboat.Buckets;
using Lifeboat.Buckets.Check;
using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Index;
using Lifeboat.Repository;
using static Lifeboat.Tests.Buckets.FakeSourceBucket;

namespace Lifeboat.Tests.Buckets;

/// <summary>
/// The bucket check on a file repository, over indexes the rig seals: roots and segments many snapshots share are read
/// once, and what is wrong is named by the object and the snapshot that needs it. The rig stores no content, so every
/// record's content is one the catalog lacks, which is itself a finding the check must name.
/// </summary>
public sealed class BucketCheckTests : IAsyncLifetime
{
    private BucketIndexRig _rig = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _rig = await BucketIndexRig.CreateAsync(Ct);

    public async ValueTask DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Snapshots_sharing_a_root_have_it_and_its_segment_read_once_and_a_content_the_catalog_lacks_is_named_by_key_and_newest_snapshot()
    {
        var (older, newer) = await TwoUnchangedSnapshotsAsync();
        _rig.Store.ResetCalls();

        var report = await new BucketCheck(_rig.Repository, "assets").RunAsync([older, newer], 0, Ct);

        Assert.Equal((2, 1, 1, 2L), (report.Snapshots, report.Roots, report.Segments, report.Records));
        Assert.Equal(2, _rig.Store.Calls.OpenRead);
        Assert.Equal(
            [
                new ContentProblem($"key 'a.txt' (version null) of snapshot {newer.Id}", $"its content {ContentDigest.Of("alpha"u8)} is not in the catalog"),
                new ContentProblem($"key 'b/c d.txt' (version null) of snapshot {newer.Id}", $"its content {ContentDigest.Of("beta"u8)} is not in the catalog"),
            ],
            report.Problems);
    }

    [Fact]
    public async Task A_missing_segment_is_named_with_the_snapshots_that_need_it()
    {
        var (older, newer) = await TwoUnchangedSnapshotsAsync();
        var segment = _rig.Layout.SegmentKey((await _rig.Reader.OpenAsync(newer.Objects[0], Ct)).Root.Segments.Single().Sha256);
        await _rig.Repository.Store.DeleteAsync(segment, Ct);

        var report = await new BucketCheck(_rig.Repository, "assets").RunAsync([older, newer], 0, Ct);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(segment, problem.Subject);
        Assert.StartsWith($"the index segment of snapshots {newer.Id} and {older.Id} does not read: ", problem.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_root_is_left_to_the_repository_check_which_names_the_manifests_objects()
    {
        var (older, newer) = await TwoUnchangedSnapshotsAsync();
        await _rig.Repository.Store.DeleteAsync(newer.Objects[0].Key, Ct);

        var report = await new BucketCheck(_rig.Repository, "assets").RunAsync([older, newer], 0, Ct);

        Assert.Equal((0, 0), (report.Roots, report.Problems.Count));
    }

    // Two runs over the same listing: the second writes the same segment and root, as a no-change run does.
    private async Task<(BackupManifest Older, BackupManifest Newer)> TwoUnchangedSnapshotsAsync()
    {
        var source = new FakeSourceBucket(versioned: false, _rig.Content);
        source.Put("a.txt", "alpha", At("2026-01-01T00:00:00Z"));
        source.Put("b/c d.txt", "beta", At("2026-01-01T00:00:01Z"));
        var first = await _rig.RunAsync(source.Listing(), At("2026-02-01T00:00:00Z"), versioned: false, previous: null, Ct);
        var second = await _rig.RunAsync(source.Listing(), At("2026-02-02T00:00:00Z"), versioned: false, first.Index, Ct);
        Assert.Equal(first.Sealed.RootObject.Key, second.Sealed.RootObject.Key);
        return (Manifest(first.Sealed.RootObject, At("2026-02-01T00:00:00Z")), Manifest(second.Sealed.RootObject, At("2026-02-02T00:00:00Z")));
    }

    private static BackupManifest Manifest(StoredObject root, DateTimeOffset startedAt) => new()
    {
        Id = BackupId.New(startedAt).Value,
        Source = BucketSnapshotInfo.SourceType,
        Name = "assets",
        Kind = BucketSnapshotInfo.Kind,
        StartedAt = startedAt,
        FinishedAt = startedAt,
        Objects = [root],
    };
}
