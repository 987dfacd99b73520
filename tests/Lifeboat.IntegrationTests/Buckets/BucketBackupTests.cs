using Lifeboat.Buckets;
using Lifeboat.Buckets.Index;
using Lifeboat.IntegrationTests.Infrastructure;
using static Lifeboat.IntegrationTests.Buckets.BucketSnapshots;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>Bucket backups of real radosgw buckets into a file repository: what each snapshot records, and what it stores.</summary>
public sealed class BucketBackupTests
{
    private static readonly string[] AwkwardKeys =
    [
        "with space.txt", "a+b.txt", "100%.txt", "what?.txt", "hash#tag.txt", "double//slash.txt",
        "caf\u00e9.txt", "cafe\u0301.txt", "emoji/🚀.bin", "Z-upper", "z-lower", new string('k', 998) + "é",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_snapshot_records_exactly_what_the_source_held_awkward_keys_empty_and_multipart_objects_metadata_and_tags_included()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var expected = new Dictionary<string, ExpectedObject>(StringComparer.Ordinal);
        foreach (var key in AwkwardKeys)
            expected[key] = new ExpectedObject(SourceBucket.Random(100 + key.Length));
        expected["empty"] = new ExpectedObject([]);
        expected["big/multipart.bin"] = new ExpectedObject(SourceBucket.Random(20 * 1024 * 1024));
        var tags = new Dictionary<string, string> { ["team"] = "3d", ["stage"] = "final draft" };
        var metadata = new Dictionary<string, string> { ["owner"] = "alice", ["source-app"] = "uploader" };
        expected["doc/meta.txt"] = new ExpectedObject("hello"u8.ToArray(), "text/plain; charset=utf-8", metadata, tags);
        foreach (var (key, want) in expected.Where(e => e.Key != "big/multipart.bin" && e.Key != "doc/meta.txt"))
            await source.PutAsync(key, want.Content);
        await source.PutMultipartAsync("big/multipart.bin", expected["big/multipart.bin"].Content);
        await source.PutAsync("doc/meta.txt", expected["doc/meta.txt"].Content, request =>
        {
            request.ContentType = "text/plain; charset=utf-8";
            request.Headers.CacheControl = "max-age=60";
            request.Headers.ContentDisposition = "attachment; filename=\"meta.txt\"";
            request.Headers.ContentEncoding = "identity";
            request.Headers["Content-Language"] = "de";
            request.Metadata["Owner"] = "alice";
            request.Metadata["source-app"] = "uploader";
            WithTags(tags)(request);
        });

        var first = await BackupAsync(repo, source);
        var firstState = await ToListAsync(PointInTimeView.AtSnapshotAsync(AsyncOf(await RecordsAsync(repo.Repository, first.Manifest)), RecordFilter.All, Ct));

        await AssertStateAsync(repo.Repository, "assets", firstState, expected);
        var meta = firstState.Single(r => r.Key == "doc/meta.txt").Attributes;
        Assert.Equal("max-age=60", meta.CacheControl);
        Assert.Equal("attachment; filename=\"meta.txt\"", meta.ContentDisposition);
        Assert.Equal("identity", meta.ContentEncoding);
        Assert.Equal("de", meta.ContentLanguage);
        Assert.Equal(expected.Count, first.Info.Objects);
        Assert.Equal(expected.Values.Sum(o => (long)o.Content.Length), first.Info.Bytes);

        var before = expected.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var betweenRuns = first.Info.ListedAt;
        await Task.Delay(1100, Ct); // overwrites must land in a later second than the first listing
        expected["doc/meta.txt"] = new ExpectedObject("hello again"u8.ToArray(), "text/plain", Tags: new Dictionary<string, string> { ["stage"] = "published" });
        await source.PutAsync("doc/meta.txt", expected["doc/meta.txt"].Content, r => { r.ContentType = "text/plain"; WithTags(expected["doc/meta.txt"].Tags!)(r); });
        await source.DeleteAsync("what?.txt");
        expected.Remove("what?.txt");
        expected["new/added.txt"] = new ExpectedObject(SourceBucket.Random(3000));
        await source.PutAsync("new/added.txt", expected["new/added.txt"].Content);

        var second = await BackupAsync(repo, source);
        var records = await RecordsAsync(repo.Repository, second.Manifest);
        var secondState = await ToListAsync(PointInTimeView.AtSnapshotAsync(AsyncOf(records), RecordFilter.All, Ct));
        var asOfFirst = await ToListAsync(PointInTimeView.AsOfAsync(AsyncOf(records), betweenRuns, RecordFilter.All, Ct));

        await AssertStateAsync(repo.Repository, "assets", secondState, expected);
        await AssertStateAsync(repo.Repository, "assets", asOfFirst, before);
        Assert.Equal(2, second.Merge.Reads); // the overwrite and the new object; nothing unchanged is read again
        Assert.Equal(0, second.Info.GoneWhileReading);
    }

    [Fact]
    public async Task Every_version_of_a_versioned_source_written_between_two_runs_is_recorded_and_exact_as_of_its_moment()
    {
        await using var source = await SourceBucket.CreateAsync(versioned: true);
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("doc.txt", "one"u8.ToArray());
        var first = await BackupAsync(repo, source);
        var contents = new[] { "two", "three", "four" };
        foreach (var text in contents)
        {
            await Task.Delay(1100, Ct);
            await source.PutAsync("doc.txt", System.Text.Encoding.UTF8.GetBytes(text));
        }

        await Task.Delay(1100, Ct);
        await source.DeleteAsync("doc.txt");

        var second = await BackupAsync(repo, source);
        var group = (await RecordsAsync(repo.Repository, second.Manifest)).Where(r => r.Key == "doc.txt").ToList();

        Assert.True(first.Info.Versioned);
        Assert.Equal(5, group.Count); // a delete marker and four versions, newest first
        Assert.True(group[0].DeleteMarker);
        Assert.Equal(["four", "three", "two", "one"], group.Skip(1).Select(r => r.Sha256).Select(sha => contents.Append("one").Single(t => SourceBucket.ShaOf(System.Text.Encoding.UTF8.GetBytes(t)) == sha)));
        foreach (var record in group.Skip(1))
            Assert.Equal(record.Sha256, PointInTimeView.StateAt(group, record.LastModified)?.Sha256);
        Assert.Null(PointInTimeView.StateAt(group, group[0].LastModified));
        Assert.Equal(3, second.Merge.Reads);
        Assert.Equal(0, second.Info.Objects);
    }

    [Fact]
    public async Task A_run_over_an_unchanged_source_reads_nothing_and_uploads_no_index_segment()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        for (var i = 0; i < 30; i++)
            await source.PutAsync($"k/{i:D3}", SourceBucket.Random(500));
        var first = await BackupAsync(repo, source);

        var second = await BackupAsync(repo, source);

        Assert.Equal(0, second.Merge.Reads);
        Assert.Equal(30, second.Merge.Unchanged);
        Assert.Equal(0, second.Seal.SegmentsUploaded);
        Assert.False(second.Seal.RootUploaded);
        Assert.Equal(0, second.Info.NewBytesStored);
        Assert.Equal(first.Manifest.Objects.Single(), second.Manifest.Objects.Single());
    }

    [Fact]
    public async Task The_same_content_under_two_keys_is_stored_once()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var small = SourceBucket.Random(200_000);
        var large = SourceBucket.Random(6 * 1024 * 1024);
        await source.PutAsync("a/small", small);
        await source.PutAsync("b/small-copy", small);
        await source.PutAsync("a/large", large);
        await source.PutAsync("b/large-copy", large);

        var result = await BackupAsync(repo, source);

        Assert.Equal(4, result.Merge.Reads);
        Assert.Equal(4, result.Info.Objects);
        // Each content once, plus pack framing (envelope headers, tables): far below two copies of each.
        Assert.InRange(result.Info.NewBytesStored, small.Length + large.Length, small.Length + large.Length + 64 * 1024);
    }

    private static async IAsyncEnumerable<BucketObjectRecord> AsyncOf(IEnumerable<BucketObjectRecord> records)
    {
        foreach (var record in records)
            yield return record;
        await Task.CompletedTask;
    }
}
