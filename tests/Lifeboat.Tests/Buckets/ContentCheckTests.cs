using System.Security.Cryptography;
using Lifeboat.Buckets.Content;

namespace Lifeboat.Tests.Buckets;

/// <summary>What the content check finds: missing packs, damaged blobs, contents an index names that the catalog lacks.</summary>
public sealed class ContentCheckTests : IAsyncLifetime
{
    private ContentTestRepository _repo = null!;
    private List<byte[]> _small = null!;
    private byte[] _large = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _repo = await ContentTestRepository.CreateAsync();
        _small = [.. Enumerable.Range(0, 10).Select(i => RandomNumberGenerator.GetBytes(500 + i))];
        _large = RandomNumberGenerator.GetBytes(4 << 20);
        await using var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun());
        foreach (var content in _small)
            await store.StoreSmallAsync(content, null, Ct);
        await using (var upload = await store.BeginLargeAsync(null, Ct))
        {
            await upload.WriteAsync(_large, Ct);
            await upload.CompleteAsync(Ct);
        }

        await store.FinishAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _repo.DisposeAsync();

    [Fact]
    public async Task A_sound_repository_has_no_problems_even_when_every_pack_is_read()
    {
        var report = await new ContentCheck(_repo.Repository, _repo.Layout).RunAsync(Referenced(_small.Append(_large).Append([])), 1.0, Ct);

        Assert.Empty(report.Problems);
        Assert.Equal((11, 2, 2), (report.Contents, report.Packs, report.PacksRead));
    }

    [Fact]
    public async Task A_missing_pack_is_found_without_reading_data_and_says_how_many_contents_it_held()
    {
        var reader = await ContentReader.OpenAsync(_repo.Repository, _repo.Layout, null, Ct);
        var packKey = _repo.Layout.PackKey(reader.Locate(ContentDigest.Of(_small[0]))!.Pack);
        File.Delete(_repo.FileOf(packKey));

        var report = await new ContentCheck(_repo.Repository, _repo.Layout).RunAsync(null, 0, Ct);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(packKey, problem.Subject);
        Assert.Contains("missing, and with it 10 contents", problem.Problem, StringComparison.Ordinal);
        Assert.Equal(0, report.PacksRead);
    }

    [Fact]
    public async Task A_damaged_blob_is_found_when_its_pack_is_read()
    {
        var reader = await ContentReader.OpenAsync(_repo.Repository, _repo.Layout, null, Ct);
        var location = reader.Locate(ContentDigest.Of(_small[4]))!;
        BucketContentStoreTests.FlipByte(_repo.FileOf(_repo.Layout.PackKey(location.Pack)), location.Offset + 100);

        Assert.Empty((await new ContentCheck(_repo.Repository, _repo.Layout).RunAsync(null, 0, Ct)).Problems);
        var report = await new ContentCheck(_repo.Repository, _repo.Layout).RunAsync(null, 1.0, Ct);

        var problem = Assert.Single(report.Problems);
        Assert.Equal($"{_repo.Layout.PackKey(location.Pack)} at bytes {location.Offset}+{location.Stored}", problem.Subject);
        Assert.Contains($"content {location.Sha256} does not read back", problem.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_content_an_index_names_that_the_catalog_lacks_is_named_by_what_references_it()
    {
        var unknown = ContentDigest.Of([1, 2, 3]);

        var report = await new ContentCheck(_repo.Repository, _repo.Layout).RunAsync(new[] { ("photos/x.jpg v3", unknown, 3L) }.ToAsyncEnumerable(), 0, Ct);

        Assert.Equal([new ContentProblem("photos/x.jpg v3", $"its content {unknown} is not in the catalog")], report.Problems);
    }

    [Fact]
    public async Task A_content_the_index_records_with_another_size_than_the_catalogs_is_named_by_what_references_it()
    {
        var sha = ContentDigest.Of(_small[2]);

        var report = await new ContentCheck(_repo.Repository, _repo.Layout).RunAsync(new[] { ("photos/2", sha, _small[2].Length + 1L) }.ToAsyncEnumerable(), 0, Ct);

        Assert.Equal(
            [new ContentProblem("photos/2", $"its content {sha} is {_small[2].Length} bytes in the catalog, but {_small[2].Length + 1} bytes are recorded for it")],
            report.Problems);
    }

    [Fact]
    public async Task A_catalog_location_the_packs_table_does_not_list_is_found_when_the_pack_is_read()
    {
        var reader = await ContentReader.OpenAsync(_repo.Repository, _repo.Layout, null, Ct);
        var neighbour = reader.Locate(ContentDigest.Of(_small[3]))!;
        var stray = ContentDigest.Of([7, 7, 7]);
        // A later run's segment placing a content inside another blob of the pack: a restore of it would read there.
        await new CatalogSegmentWriter(_repo.Repository, _repo.Layout, ContentTestRepository.NewRun(5))
            .WriteAsync([new CatalogLine(stray.ToString(), 3, neighbour.Pack, neighbour.Offset + 10, 60, null)], Ct);

        var withoutData = await new ContentCheck(_repo.Repository, _repo.Layout).RunAsync(new[] { ("photos/stray", stray, 3L) }.ToAsyncEnumerable(), 0, Ct);
        var withData = await new ContentCheck(_repo.Repository, _repo.Layout).RunAsync(new[] { ("photos/stray", stray, 3L) }.ToAsyncEnumerable(), 1.0, Ct);

        Assert.Empty(withoutData.Problems);
        var subject = $"{_repo.Layout.PackKey(neighbour.Pack)} at bytes {neighbour.Offset + 10}+60";
        Assert.Equal(
            [(subject, $"the catalog places content {stray} there, where the pack's table lists no blob"), (subject, $"content {stray} does not read back")],
            withData.Problems.Select(p => (p.Subject, p.Problem.Split(':')[0])));
    }

    [Fact]
    public async Task A_damaged_catalog_segment_is_a_problem_and_its_packs_are_not_taken_for_missing()
    {
        var segment = Assert.Single(await _repo.KeysAsync(_repo.Layout.CatalogPrefix));
        BucketContentStoreTests.FlipByte(_repo.FileOf(segment), 70);

        var report = await new ContentCheck(_repo.Repository, _repo.Layout).RunAsync(Referenced([_small[0]]), 0, Ct);

        Assert.Equal([segment, "photos/0"], report.Problems.Select(p => p.Subject));
    }

    private static IAsyncEnumerable<(string, ContentDigest, long)> Referenced(IEnumerable<byte[]> contents) =>
        contents.Select((c, i) => ($"photos/{i}", ContentDigest.Of(c), (long)c.Length)).ToAsyncEnumerable();
}
