using System.Security.Cryptography;
using System.Text;
using Lifeboat.Buckets.Content;

namespace Lifeboat.Tests.Buckets;

/// <summary>What a run killed before its manifest leaves, and how the next run finds and reuses it.</summary>
public sealed class InterruptedRunOverlayTests : IAsyncLifetime
{
    private ContentTestRepository _repo = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _repo = await ContentTestRepository.CreateAsync();

    public async ValueTask DisposeAsync() => await _repo.DisposeAsync();

    [Fact]
    public async Task A_killed_runs_checkpointed_records_and_contents_are_found_and_reused_by_the_next_run()
    {
        var killed = ContentTestRepository.NewRun();
        var content = RandomNumberGenerator.GetBytes(3000);
        await using (var store = await _repo.OpenRunAsync(killed))
        {
            await store.StoreSmallAsync(content, null, Ct);
            await store.JournalAsync(BucketContentStoreTests.Entry("photos/b.jpg", Record("photos/b.jpg", 1)), Ct);
            await store.JournalAsync(BucketContentStoreTests.Entry("photos/a.jpg", Record("photos/a.jpg", 2)), Ct);
            await store.CheckpointAsync(Ct);
            // Read after the last checkpoint: lost with the run, and read again by the next one.
            await store.JournalAsync(BucketContentStoreTests.Entry("photos/c.jpg", Record("photos/c.jpg", 3)), Ct);
        }

        var next = ContentTestRepository.NewRun(1);
        await using var rerun = await _repo.OpenRunAsync(next);
        using var overlay = await rerun.FindInterruptedRunsAsync(Ct);

        Assert.Equal([killed], overlay.Runs);
        Assert.Equal(2, overlay.Records);
        var records = await overlay.ReadAsync(Ct).ToListAsync(Ct);
        Assert.Equal(["photos/a.jpg", "photos/b.jpg"], records.Select(r => r.Key));
        Assert.Equal(Record("photos/a.jpg", 2), Encoding.UTF8.GetString(records[0].Line.Span));
        Assert.Equal(0, (await rerun.StoreSmallAsync(content, null, Ct)).NewStoredBytes);

        await rerun.FinishAsync(Ct);
        await _repo.CommitSnapshotAsync(next);
        await rerun.DeleteJournalsAsync(Ct);
        Assert.Empty(await _repo.KeysAsync(_repo.Layout.JournalsPrefix));
    }

    [Fact]
    public async Task The_journal_of_a_run_that_committed_its_manifest_is_not_reused_but_is_cleaned_up()
    {
        var committed = ContentTestRepository.NewRun();
        await using (var store = await _repo.OpenRunAsync(committed))
        {
            await store.JournalAsync(BucketContentStoreTests.Entry("k", Record("k", 1)), Ct);
            await store.FinishAsync(Ct);
            await _repo.CommitSnapshotAsync(committed);
            // Killed here, before deleting its journal.
        }

        await using var next = await _repo.OpenRunAsync(ContentTestRepository.NewRun(1));
        using var overlay = await next.FindInterruptedRunsAsync(Ct);
        Assert.Empty(overlay.Runs);
        Assert.Empty(await overlay.ReadAsync(Ct).ToListAsync(Ct));

        await next.DeleteJournalsAsync(Ct);
        Assert.Empty(await _repo.KeysAsync(_repo.Layout.JournalsPrefix));
    }

    [Fact]
    public async Task Records_of_several_interrupted_runs_merge_in_key_byte_order_older_runs_first_within_a_key()
    {
        var keys = new[] { "b", "a", "é", "a/b", "Z", "a b", "\U0001F600", "\uFFFD" };
        for (var run = 0; run < 2; run++)
        {
            await using var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun(run), new CheckpointCadence(long.MaxValue, 3, TimeSpan.FromHours(1)));
            foreach (var key in keys)
                await store.JournalAsync(BucketContentStoreTests.Entry(key, Record(key, run)), Ct);
            await store.CheckpointAsync(Ct);
        }

        await using var next = await _repo.OpenRunAsync(ContentTestRepository.NewRun(5));
        using var overlay = await next.FindInterruptedRunsAsync(Ct);
        var records = await overlay.ReadAsync(Ct).ToListAsync(Ct);

        var expected = keys.Order(Lifeboat.Storage.ObjectKeyComparer.Instance).SelectMany(k => new[] { Record(k, 0), Record(k, 1) });
        Assert.Equal(expected, records.Select(r => Encoding.UTF8.GetString(r.Line.Span)));
        Assert.Equal(2, overlay.Runs.Count);
    }

    [Fact]
    public async Task Merging_more_sorted_files_than_open_at_once_keeps_key_order_and_file_order_within_a_key()
    {
        var directory = Directory.CreateTempSubdirectory("lifeboat-merge-").FullName;
        try
        {
            var files = new List<string>();
            for (var i = 0; i < (SortedLineFiles.FanIn * 2) + 5; i++)
            {
                var path = Path.Combine(directory, $"in-{i}.jsonl");
                await using (var writer = SortedLineFiles.CreateWriter(path))
                {
                    foreach (var key in new[] { "k1", $"k2-{i % 7}", "k3" })
                        await writer.WriteLineAsync(Record(key, i));
                }

                files.Add(path);
            }

            var merged = await SortedLineFiles.MergeAsync(files, directory, Ct);
            var lines = await SortedLineFiles.ReadLinesAsync(merged, Ct).ToListAsync(Ct);

            Assert.Equal(files.Count * 3, lines.Count);
            Assert.Equal(Enumerable.Range(0, files.Count).Select(i => Record("k1", i)), lines.Take(files.Count));
            Assert.Equal(Enumerable.Range(0, files.Count).Select(i => Record("k3", i)), lines.TakeLast(files.Count));
            Assert.Equal(lines.Select(SortedLineFiles.KeyOf).Order(StringComparer.Ordinal), lines.Select(SortedLineFiles.KeyOf));
            Assert.Single(Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Record(string key, int version) =>
        $"{{\"key\":{System.Text.Json.JsonSerializer.Serialize(key, Lifeboat.Tests.Buckets.TestJson.Default.String)},\"versionId\":\"v{version}\"}}";
}
