using System.Security.Cryptography;
using System.Text;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Content;
using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Tests.Buckets;

/// <summary>Storing a run's contents once by their SHA-256 and reading them back, on a repository in a local directory.</summary>
public sealed class BucketContentStoreTests : IAsyncLifetime
{
    private ContentTestRepository _repo = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _repo = await ContentTestRepository.CreateAsync();

    public async ValueTask DisposeAsync() => await _repo.DisposeAsync();

    [Fact]
    public async Task Small_objects_are_packed_together_and_each_reads_back_byte_identical_by_its_sha()
    {
        var contents = Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? Encoding.UTF8.GetBytes($"object {i} " + new string('x', i * 37)) : RandomNumberGenerator.GetBytes(100 + (i * 300))).ToList();
        var refs = new List<ContentRef>();
        await using (var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun()))
        {
            foreach (var content in contents)
                refs.Add(await store.StoreSmallAsync(content, sourceEtag: null, Ct));
            await store.FinishAsync(Ct);

            for (var i = 0; i < contents.Count; i++)
            {
                Assert.Equal(Sha(contents[i]), refs[i].Sha256);
                Assert.Equal(contents[i], await ReadAllAsync(await store.OpenContentAsync(refs[i].Sha256, contents[i].Length, Ct)));
            }
        }

        Assert.Single(await _repo.KeysAsync(_repo.Layout.PacksPrefix));
        var reader = await ContentReader.OpenAsync(_repo.Repository, _repo.Layout, onDamaged: null, Ct);
        Assert.Equal(contents[7], await ReadAllAsync(await reader.OpenAsync(ContentDigest.Parse(refs[7].Sha256, "test"), contents[7].Length, Ct)));
    }

    [Fact]
    public async Task The_same_content_under_two_keys_is_stored_once()
    {
        var content = RandomNumberGenerator.GetBytes(5000);
        await using var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun());

        var first = await store.StoreSmallAsync(content, "etag-a", Ct);
        var second = await store.StoreSmallAsync(content.ToArray(), "etag-b", Ct);
        await store.FinishAsync(Ct);

        Assert.Equal(first.Sha256, second.Sha256);
        Assert.True(first.NewStoredBytes > content.Length);
        Assert.Equal(0, second.NewStoredBytes);
        Assert.Equal(1, store.NewContents);
        var table = await PackTable.ReadAsync(_repo.Repository, (await _repo.KeysAsync(_repo.Layout.PacksPrefix)).Single(), new FileInfo(_repo.FileOf((await _repo.KeysAsync(_repo.Layout.PacksPrefix)).Single())).Length, Ct);
        Assert.Equal([first.Sha256], table.Select(e => e.Sha256));
    }

    [Fact]
    public async Task An_empty_object_stores_nothing_and_reads_back_empty()
    {
        await using var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun());

        var small = await store.StoreSmallAsync(ReadOnlyMemory<byte>.Empty, "d41d8cd98f00b204e9800998ecf8427e", Ct);
        await using (var large = await store.BeginLargeAsync(null, Ct))
            Assert.Equal(small, await large.CompleteAsync(Ct));
        await store.FinishAsync(Ct);

        Assert.Equal(new ContentRef(ContentDigest.Empty.ToString(), 0, 0), small);
        Assert.Empty(await _repo.KeysAsync(_repo.Layout.Root));
        Assert.Empty(await ReadAllAsync(await store.OpenContentAsync(small.Sha256, 0, Ct)));
    }

    [Fact]
    public async Task Packs_stay_within_8_MiB_and_a_new_one_starts_when_the_next_blob_would_not_fit()
    {
        var contents = Enumerable.Range(0, 5).Select(_ => RandomNumberGenerator.GetBytes(3 << 20)).ToList();
        await using (var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun()))
        {
            foreach (var content in contents)
                await store.StoreSmallAsync(content, null, Ct);
            await store.FinishAsync(Ct);
        }

        var packs = await _repo.KeysAsync(_repo.Layout.PacksPrefix);
        Assert.Equal(3, packs.Count);
        Assert.All(packs, pack => Assert.InRange(new FileInfo(_repo.FileOf(pack)).Length, 3 << 20, PackFormat.MaxPackBytes));
        var reader = await ContentReader.OpenAsync(_repo.Repository, _repo.Layout, null, Ct);
        foreach (var content in contents)
            Assert.Equal(content, await ReadAllAsync(await reader.OpenAsync(ContentDigest.Of(content), content.Length, Ct)));
    }

    [Fact]
    public async Task A_pack_describes_itself_through_its_table()
    {
        byte[] a = Encoding.UTF8.GetBytes(new string('a', 10_000)), b = RandomNumberGenerator.GetBytes(777);
        await using (var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun()))
        {
            await store.StoreSmallAsync(a, null, Ct);
            await store.StoreSmallAsync(b, null, Ct);
            await store.FinishAsync(Ct);
        }

        var pack = (await _repo.KeysAsync(_repo.Layout.PacksPrefix)).Single();
        var table = await PackTable.ReadAsync(_repo.Repository, pack, new FileInfo(_repo.FileOf(pack)).Length, Ct);

        Assert.Equal([(Sha(a), 10_000L, 0L), (Sha(b), 777L, table[0].Stored)], table.Select(e => (e.Sha256, e.Size, e.Offset)));
        Assert.True(table[0].Stored < 1000, "text compresses: the probe chose zstd");
        Assert.True(table[1].Stored > 777, "random bytes are stored as they are");
    }

    [Fact]
    public async Task A_corrupted_blob_is_detected_on_read_and_its_bytes_are_never_returned()
    {
        var content = Encoding.UTF8.GetBytes(string.Join(",", Enumerable.Range(0, 3000)));
        string sha;
        await using (var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun()))
        {
            await store.StoreSmallAsync(RandomNumberGenerator.GetBytes(1000), null, Ct);
            sha = (await store.StoreSmallAsync(content, null, Ct)).Sha256;
            await store.FinishAsync(Ct);
        }

        var reader = await ContentReader.OpenAsync(_repo.Repository, _repo.Layout, null, Ct);
        var location = reader.Locate(ContentDigest.Parse(sha, "test"))!;
        FlipByte(_repo.FileOf(_repo.Layout.PackKey(location.Pack)), location.Offset + (location.Stored / 2));

        await using (var stream = await reader.OpenAsync(location.Sha256, content.Length, Ct))
        {
            var received = new MemoryStream();
            var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => stream.CopyToAsync(received, Ct));
            Assert.Contains(_repo.Layout.PackKey(location.Pack), error.Message, StringComparison.Ordinal);
            Assert.Equal(0, received.Length);
        }

        var batch = await reader.ReadInPackOrderAsync(new[] { location }.ToAsyncEnumerable(), Ct).ToListAsync(Ct);
        Assert.Null(Assert.Single(batch).Content);
        Assert.IsType<EnvelopeCorruptException>(batch[0].Error);
    }

    [Fact]
    public async Task Contents_read_in_pack_order_come_back_verified_with_one_read_per_pack()
    {
        var contents = Enumerable.Range(0, 30).Select(i => RandomNumberGenerator.GetBytes(1000 + i)).ToList();
        await using (var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun()))
        {
            foreach (var content in contents)
                await store.StoreSmallAsync(content, null, Ct);
            await store.FinishAsync(Ct);
        }

        var reader = await ContentReader.OpenAsync(_repo.Repository, _repo.Layout, null, Ct);
        // Every third content, and one twice (two keys of one content): still in pack order.
        var wanted = contents.Where((_, i) => i % 3 == 0).Prepend(contents[0]).Select(c => reader.Locate(ContentDigest.Of(c))!).OrderBy(l => l.Offset).ToList();
        _repo.Store.Reads.Clear();

        var read = await reader.ReadInPackOrderAsync(wanted.ToAsyncEnumerable(), Ct).ToListAsync(Ct);

        Assert.Equal(wanted.Select(l => contents.Single(c => ContentDigest.Of(c) == l.Sha256)), read.Select(r => r.Content!));
        Assert.All(read, r => Assert.Null(r.Error));
        Assert.Single(_repo.Store.Reads);
    }

    [Fact]
    public async Task A_catalog_written_by_one_run_is_loaded_by_the_next_and_used_for_dedupe()
    {
        var old = Enumerable.Range(0, 20).Select(_ => RandomNumberGenerator.GetBytes(2000)).ToList();
        await using (var first = await _repo.OpenRunAsync(ContentTestRepository.NewRun()))
        {
            foreach (var content in old)
                await first.StoreSmallAsync(content, null, Ct);
            await first.FinishAsync(Ct);
        }

        Assert.Single(await _repo.KeysAsync(_repo.Layout.CatalogPrefix));
        var fresh = RandomNumberGenerator.GetBytes(2000);
        await using var second = await _repo.OpenRunAsync(ContentTestRepository.NewRun(1));
        foreach (var content in old)
            Assert.Equal(0, (await second.StoreSmallAsync(content, null, Ct)).NewStoredBytes);
        Assert.True((await second.StoreSmallAsync(fresh, null, Ct)).NewStoredBytes > 0);
        await second.FinishAsync(Ct);

        Assert.Equal(1, second.NewContents);
        Assert.Equal(2, (await _repo.KeysAsync(_repo.Layout.PacksPrefix)).Count);
        var catalog = await CatalogLoader.LoadAsync(_repo.Repository, _repo.Layout, null, Ct);
        Assert.Equal(21, catalog.Count);
    }

    [Fact]
    public async Task A_run_that_stores_nothing_new_never_reads_the_catalog()
    {
        await using (var first = await _repo.OpenRunAsync(ContentTestRepository.NewRun()))
        {
            await first.StoreSmallAsync(RandomNumberGenerator.GetBytes(100), null, Ct);
            await first.FinishAsync(Ct);
        }

        _repo.Store.Reads.Clear();
        var run = ContentTestRepository.NewRun(1);
        await using var second = await _repo.OpenRunAsync(run);
        await second.JournalAsync(Entry("k", "{\"key\":\"k\"}"), Ct);
        await second.FinishAsync(Ct);

        Assert.DoesNotContain(_repo.Store.Reads, r => r.Key.StartsWith(_repo.Layout.CatalogPrefix, StringComparison.Ordinal));
        Assert.Empty(await _repo.KeysAsync(_repo.Layout.CatalogKey(run, 0)));
        Assert.Single(await _repo.KeysAsync(_repo.Layout.JournalFolder(run)));
    }

    [Fact]
    public async Task A_checkpoint_writes_packs_then_the_catalog_then_the_journal()
    {
        await using var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun());
        await store.StoreSmallAsync(RandomNumberGenerator.GetBytes(100), null, Ct);
        await store.JournalAsync(Entry("a", "{\"key\":\"a\"}"), Ct);
        var before = _repo.Store.Uploads.Count;

        await store.CheckpointAsync(Ct);

        var order = _repo.Store.Uploads.Skip(before - 1).Where(u => u.Completed).Select(u => u.Key.Split('/')[2]).ToList();
        Assert.Equal(["packs", "catalog", "journal"], order);
    }

    [Fact]
    public async Task Journal_records_are_checkpointed_when_the_cadence_says_so()
    {
        await using var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun(), new CheckpointCadence(long.MaxValue, 3, TimeSpan.FromHours(1)));
        foreach (var key in new[] { "c", "a", "b", "e", "d" })
            await store.JournalAsync(Entry(key, $"{{\"key\":\"{key}\"}}"), Ct);

        var journals = await _repo.KeysAsync(_repo.Layout.JournalsPrefix);
        var text = Encoding.UTF8.GetString(await _repo.Repository.ReadEncryptedAsync(Assert.Single(journals), Ct));
        Assert.Equal("{\"key\":\"a\"}\n{\"key\":\"b\"}\n{\"key\":\"c\"}\n", text);
    }

    [Fact]
    public async Task A_large_object_streams_into_a_pack_of_one_and_reads_back()
    {
        var content = new byte[40 << 20];
        new Random(40).NextBytes(content);
        ContentRef stored;
        await using (var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun()))
        {
            await using (var upload = await store.BeginLargeAsync("\"abc-5\"", Ct))
            {
                for (var offset = 0; offset < content.Length; offset += 1 << 20)
                    await upload.WriteAsync(content.AsMemory(offset, 1 << 20), Ct);
                var pack = _repo.Store.Uploads.Single(u => u.Key.StartsWith(_repo.Layout.PacksPrefix, StringComparison.Ordinal));
                // Streamed: all but the envelope's last chunk reached the store before the upload completed.
                Assert.InRange(pack.BytesWritten, content.Length - (2 << 20), content.Length + (1 << 20));
                stored = await upload.CompleteAsync(Ct);
            }

            await store.FinishAsync(Ct);
            Assert.Equal(Sha(content), stored.Sha256);
            Assert.Equal(Sha(content), await store.FindByHintAsync(content.Length, "abc-5", Ct));
            Assert.Null(await store.FindByHintAsync(content.Length, "abc-6", Ct));
        }

        var reader = await ContentReader.OpenAsync(_repo.Repository, _repo.Layout, null, Ct);
        await using var read = await reader.OpenAsync(ContentDigest.Parse(stored.Sha256, "test"), content.Length, Ct);
        Assert.Equal(Sha(content), Convert.ToHexStringLower(await SHA256.HashDataAsync(read, Ct)));
        var packKey = Assert.Single(await _repo.KeysAsync(_repo.Layout.PacksPrefix));
        Assert.Equal(stored.NewStoredBytes, new FileInfo(_repo.FileOf(packKey)).Length);
    }

    [Fact]
    public async Task A_large_object_the_repository_already_holds_leaves_no_pack_behind()
    {
        var content = RandomNumberGenerator.GetBytes(5 << 20);
        await using var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun());
        var first = await StoreLargeAsync(store, content, "etag-1");
        var second = await StoreLargeAsync(store, content, "etag-2");
        await store.FinishAsync(Ct);

        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(0, second.NewStoredBytes);
        Assert.Single(await _repo.KeysAsync(_repo.Layout.PacksPrefix));
        Assert.Single(_repo.Store.Uploads, u => u.Key.StartsWith(_repo.Layout.PacksPrefix, StringComparison.Ordinal) && !u.Completed);
        Assert.Empty(_repo.Store.Deletes);
    }

    [Fact]
    public async Task Two_large_uploads_of_one_content_at_once_keep_one_pack_and_delete_the_other_before_any_catalog_names_it()
    {
        var content = RandomNumberGenerator.GetBytes(4 << 20);
        await using var store = await _repo.OpenRunAsync(ContentTestRepository.NewRun());
        await using var first = await store.BeginLargeAsync(null, Ct);
        await using var second = await store.BeginLargeAsync(null, Ct);
        await first.WriteAsync(content, Ct);
        await second.WriteAsync(content, Ct);

        // Both sealed before either registered: the loser finds out only after its pack is complete.
        var results = await Task.WhenAll(first.CompleteAsync(Ct), second.CompleteAsync(Ct));
        await store.FinishAsync(Ct);

        Assert.Single(results, r => r.NewStoredBytes > 0);
        var kept = Assert.Single(await _repo.KeysAsync(_repo.Layout.PacksPrefix));
        Assert.Single(_repo.Store.Deletes);
        var catalog = await CatalogLoader.LoadAsync(_repo.Repository, _repo.Layout, null, Ct);
        Assert.Equal(kept, _repo.Layout.PackKey(Assert.Single(catalog.All()).Pack));
    }

    private static async Task<ContentRef> StoreLargeAsync(BucketContentStore store, byte[] content, string etag)
    {
        await using var upload = await store.BeginLargeAsync(etag, Ct);
        await upload.WriteAsync(content, Ct);
        return await upload.CompleteAsync(Ct);
    }

    internal static JournalEntry Entry(string key, string line) => new(key, Encoding.UTF8.GetBytes(line));

    internal static string Sha(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    internal static void FlipByte(string path, long offset)
    {
        using var file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var value = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(value ^ 0x40));
    }

    internal static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, Ct);
            return buffer.ToArray();
        }
    }
}
