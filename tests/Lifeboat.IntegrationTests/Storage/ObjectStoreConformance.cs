using System.Text;
using Lifeboat.Storage;

namespace Lifeboat.IntegrationTests.Storage;

/// <summary>
/// The contract of <see cref="IObjectStore"/>, run against every medium. Each test gets a store of its
/// own (a fresh directory, or a fresh prefix in a bucket), so tests never see each other's objects.
/// </summary>
public abstract partial class ObjectStoreConformance : IAsyncLifetime
{
    /// <summary>The part size the S3 store is opened with: S3's minimum, so multipart paths run on small data.</summary>
    protected const int PartSize = S3Location.MinPartSize;

    private IObjectStore? _store;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected IObjectStore Store => _store ?? throw new InvalidOperationException("the store is opened in InitializeAsync");

    /// <summary>Opens a store with an existing container and a location no other test uses.</summary>
    protected abstract Task<IObjectStore> OpenFreshStoreAsync(CancellationToken cancellationToken);

    /// <summary>Opens a store whose container (directory or bucket) does not exist.</summary>
    protected abstract IObjectStore OpenStoreWithMissingContainer();

    /// <summary>Removes a container that a test created through <see cref="IObjectStore.EnsureCreatedAsync"/>.</summary>
    protected abstract Task RemoveContainerAsync(IObjectStore store);

    /// <summary>Removes what the test left in its store.</summary>
    protected abstract Task CleanUpAsync(IObjectStore store);

    public async ValueTask InitializeAsync() => _store = await OpenFreshStoreAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_store is null)
            return;
        await CleanUpAsync(_store);
        await _store.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        await PutAsync("empty", []);

        Assert.Empty(await ReadAsync("empty"));
        Assert.Equal(0, (await Store.StatAsync("empty", Ct))?.Size);
    }

    [Fact]
    public async Task Small_object_round_trips_with_its_size_and_time()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        var data = BytePattern.Bytes(0, 1000);

        await PutAsync("dir/small.bin", data);

        Assert.Equal(data, await ReadAsync("dir/small.bin"));
        var info = await Store.StatAsync("dir/small.bin", Ct);
        Assert.NotNull(info);
        Assert.Equal(("dir/small.bin", 1000L), (info.Key, info.Size));
        Assert.InRange(info.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task Object_of_many_parts_round_trips_and_reads_ranges_across_part_boundaries()
    {
        const long size = 40L * 1024 * 1024;
        await using (var upload = await Store.CreateAsync("big/forty.bin", Ct))
        {
            await BytePattern.WriteAsync(upload, size, Ct);
            await upload.CompleteAsync(Ct);
        }

        Assert.Equal(size, (await Store.StatAsync("big/forty.bin", Ct))?.Size);
        await using (var whole = await Store.OpenReadAsync("big/forty.bin", null, Ct))
            Assert.Equal(size, await BytePattern.VerifyAsync(whole, 0, Ct));
        var straddling = new ByteRange(PartSize - 1000, 2000);
        await using (var range = await Store.OpenReadAsync("big/forty.bin", straddling, Ct))
            Assert.Equal(2000, await BytePattern.VerifyAsync(range, straddling.Offset, Ct));
        await using (var tail = await Store.OpenReadAsync("big/forty.bin", new ByteRange(size - 10), Ct))
            Assert.Equal(10, await BytePattern.VerifyAsync(tail, size - 10, Ct));
    }

    [Theory]
    [InlineData(PartSize)]
    [InlineData(PartSize + 1)]
    [InlineData(2 * PartSize)]
    [InlineData((3 * PartSize) - 1)]
    public async Task Objects_at_part_size_boundaries_round_trip(int size)
    {
        await using (var upload = await Store.CreateAsync("edge", Ct))
        {
            await BytePattern.WriteAsync(upload, size, Ct);
            await upload.CompleteAsync(Ct);
        }

        await using var read = await Store.OpenReadAsync("edge", null, Ct);
        Assert.Equal(size, await BytePattern.VerifyAsync(read, 0, Ct));
    }

    [Fact]
    public async Task Upload_disposed_without_completing_leaves_nothing_visible()
    {
        await using (var upload = await Store.CreateAsync("never/done", Ct))
        {
            await upload.WriteAsync(BytePattern.Bytes(0, 1000), Ct);
            await AssertAbsentAsync("never/done");
        }

        await AssertAbsentAsync("never/done");
        Assert.Empty(await ListAsync(""));
    }

    [Fact]
    public async Task Multi_part_upload_disposed_without_completing_leaves_nothing_visible()
    {
        await using (var upload = await Store.CreateAsync("never/big", Ct))
        {
            // Four parts' worth: some parts are sent, others are still buffered or in flight.
            await BytePattern.WriteAsync(upload, (4L * PartSize) + 123, Ct);
            await AssertAbsentAsync("never/big");
        }

        await AssertAbsentAsync("never/big");
        Assert.Empty(await ListAsync(""));
    }

    [Fact]
    public async Task Uploads_still_being_written_are_not_removed_as_abandoned()
    {
        await using var upload = await Store.CreateAsync("busy", Ct);
        await BytePattern.WriteAsync(upload, (2L * PartSize) + 1, Ct);

        Assert.Equal(0, await Store.RemoveAbandonedUploadsAsync(TimeSpan.FromHours(1), Ct));

        await upload.CompleteAsync(Ct);
        Assert.Equal((2L * PartSize) + 1, (await Store.StatAsync("busy", Ct))?.Size);
    }

    [Fact]
    public async Task Abandoned_uploads_are_removed_and_can_never_complete()
    {
        await using var upload = await Store.CreateAsync("crashed", Ct);
        await BytePattern.WriteAsync(upload, (2L * PartSize) + 1, Ct);

        // Idle for zero seconds: every upload in progress counts as abandoned, as if its process had died.
        // A part still in flight counts as activity until it lands, so ask until it has.
        var removed = 0;
        for (var attempt = 0; attempt < 50 && removed == 0; attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 100, Ct);
            removed = await Store.RemoveAbandonedUploadsAsync(TimeSpan.Zero, Ct);
        }

        Assert.Equal(1, removed);

        await Assert.ThrowsAnyAsync<LifeboatException>(() => upload.CompleteAsync(Ct));
        await AssertAbsentAsync("crashed");
        Assert.Equal(0, await Store.RemoveAbandonedUploadsAsync(TimeSpan.Zero, Ct));
    }

    [Fact]
    public async Task Abandoned_uploads_are_found_with_their_bytes_and_left_in_place()
    {
        await using var upload = await Store.CreateAsync("stalled", Ct);
        await BytePattern.WriteAsync(upload, (2L * PartSize) + 1, Ct);

        var busy = await Store.FindAbandonedUploadsAsync(TimeSpan.FromHours(1), Ct);
        // Idle for zero seconds: the upload counts as abandoned once its parts in flight have landed.
        var found = busy;
        for (var attempt = 0; attempt < 50 && found.Bytes < PartSize; attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 100, Ct);
            found = await Store.FindAbandonedUploadsAsync(TimeSpan.Zero, Ct);
        }

        Assert.Equal(0, busy.Count);
        Assert.Equal(1, found.Count);
        // Bytes still in a write buffer (a file's, or the part not yet sent) are not in the store yet.
        Assert.InRange(found.Bytes, PartSize, (2L * PartSize) + 1);
        await upload.CompleteAsync(Ct);
        Assert.Equal((2L * PartSize) + 1, (await Store.StatAsync("stalled", Ct))?.Size);
        Assert.Equal(0, (await Store.FindAbandonedUploadsAsync(TimeSpan.Zero, Ct)).Count);
    }

    [Fact]
    public async Task Completed_overwrite_replaces_the_whole_object_and_the_old_one_stays_until_then()
    {
        var old = Encoding.UTF8.GetBytes(new string('A', 5000));
        var replacement = Encoding.UTF8.GetBytes("BBB");
        await PutAsync("doc", old);

        await using (var upload = await Store.CreateAsync("doc", Ct))
        {
            await upload.WriteAsync(replacement, Ct);
            Assert.Equal(old, await ReadAsync("doc"));
            await upload.CompleteAsync(Ct);
        }

        Assert.Equal(replacement, await ReadAsync("doc"));
        Assert.Equal(3, (await Store.StatAsync("doc", Ct))?.Size);
        Assert.Equal(["doc"], (await ListAsync("")).Select(o => o.Key));
    }

    [Theory]
    [InlineData(100, 50L, 100, 50)] // middle
    [InlineData(900, null, 900, 100)] // open-ended
    [InlineData(0, 1000L, 0, 1000)] // exactly the whole
    [InlineData(990, 50L, 990, 10)] // clipped at the end
    [InlineData(999, null, 999, 1)] // last byte
    [InlineData(1000, null, 1000, 0)] // starts at the end
    [InlineData(5000, 10L, 5000, 0)] // starts past the end
    [InlineData(10, 0L, 10, 0)] // empty range
    public async Task Ranged_reads_return_exactly_the_bytes_in_range(long offset, long? length, long expectedStart, int expectedLength)
    {
        await PutAsync("ranged", BytePattern.Bytes(0, 1000));

        var bytes = await ReadAsync("ranged", new ByteRange(offset, length));

        Assert.Equal(BytePattern.Bytes(expectedStart, expectedLength), bytes);
    }

    [Fact]
    public async Task Listing_by_prefix_returns_matching_keys_in_utf8_byte_order()
    {
        // '!' < '-' < '.' < '/' < '0' in ASCII; U+FFFD sorts below an emoji in UTF-8 but above it in UTF-16.
        // No key is also a folder of others ("a" and "a/1"): a file store cannot hold both.
        string[] keys = ["a!", "a-b", "a.txt", "a/1", "a/b/c", "a/b/d", "a0", "ab/x", "b", "é", "\uFFFD", "😀", "z/z/z"];
        foreach (var key in keys.Reverse())
            await PutAsync(key, Encoding.UTF8.GetBytes(key));

        var sortedByUtf8 = keys.OrderBy(k => Encoding.UTF8.GetBytes(k), Utf8BytesComparer.Instance).ToArray();
        Assert.Equal(sortedByUtf8, (await ListAsync("")).Select(o => o.Key));
        Assert.Equal(["a!", "a-b", "a.txt", "a/1", "a/b/c", "a/b/d", "a0", "ab/x"], (await ListAsync("a")).Select(o => o.Key));
        Assert.Equal(["a/1", "a/b/c", "a/b/d"], (await ListAsync("a/")).Select(o => o.Key));
        Assert.Equal(["a/b/c", "a/b/d"], (await ListAsync("a/b")).Select(o => o.Key));
        Assert.Equal(["z/z/z"], (await ListAsync("z/z/")).Select(o => o.Key));
        Assert.Empty(await ListAsync("nothing/"));
        Assert.Empty(await ListAsync("a/b/c/"));
        Assert.All(await ListAsync(""), o => Assert.Equal(Encoding.UTF8.GetByteCount(o.Key), o.Size));
    }

    [Fact]
    public async Task Listing_streams_more_than_one_page_of_keys()
    {
        const int count = 1100;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct },
            async (i, token) =>
            {
                await using var upload = await Store.CreateAsync($"many/{i:x4}", token);
                await upload.WriteAsync(new[] { (byte)i }, token);
                await upload.CompleteAsync(token);
            });

        var listed = await ListAsync("many/");

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"many/{i:x4}"), listed.Select(o => o.Key));
    }

    [Theory]
    [InlineData("with space/file name.txt")]
    [InlineData("plus+sign/a+b=c")]
    [InlineData("percent/%20 and %2F literal")]
    [InlineData("unicode/ümlaut/日本語")]
    [InlineData("emoji/🚀")]
    [InlineData("nfc/\u00e9")]
    [InlineData("nfd/e\u0301")]
    [InlineData("punctuation/#?&;,=@!$'()*[]{}~")]
    public async Task Keys_with_special_characters_round_trip_exactly(string key)
    {
        await PutAsync(key, Encoding.UTF8.GetBytes(key));

        Assert.Equal(Encoding.UTF8.GetBytes(key), await ReadAsync(key));
        Assert.Equal(key, (await Store.StatAsync(key, Ct))?.Key);
        Assert.Equal([key], (await ListAsync("")).Select(o => o.Key));
        await Store.DeleteAsync(key, Ct);
        await AssertAbsentAsync(key);
    }

    [Fact]
    public async Task Stat_of_a_missing_object_is_null()
    {
        Assert.Null(await Store.StatAsync("missing", Ct));
        Assert.Null(await Store.StatAsync("missing/deeper/still", Ct));
    }

    [Fact]
    public async Task Reading_a_missing_object_throws_ObjectNotFoundException_naming_it()
    {
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("no/such/object", null, Ct));
        Assert.Equal("no/such/object", error.Key);
        Assert.Contains(Store.Location, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("no/such/object", new ByteRange(5, 10), Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("no/such/object", new ByteRange(5, 0), Ct));
    }

    [Fact]
    public async Task Delete_removes_an_object_and_is_idempotent()
    {
        await PutAsync("gone/soon", [1, 2, 3]);
        await PutAsync("gone/stays", [4]);

        await Store.DeleteAsync("gone/soon", Ct);
        await Store.DeleteAsync("gone/soon", Ct);
        await Store.DeleteAsync("never/existed", Ct);

        await AssertAbsentAsync("gone/soon");
        Assert.Equal(["gone/stays"], (await ListAsync("")).Select(o => o.Key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("./a")]
    [InlineData("a/.")]
    [InlineData("folder/")]
    [InlineData("nul\0char")]
    public async Task Bad_keys_are_rejected_by_every_operation(string key)
    {
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.CreateAsync(key, Ct));
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.OpenReadAsync(key, null, Ct));
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.StatAsync(key, Ct));
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.DeleteAsync(key, Ct));
    }

    [Theory]
    [InlineData("/absolute")]
    [InlineData("../up")]
    [InlineData("a//")]
    [InlineData("a/./b")]
    public async Task Bad_prefixes_are_rejected_by_listing(string prefix)
    {
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => ListAsync(prefix));
    }

    [Fact]
    public async Task A_missing_container_is_a_clear_error_not_an_empty_repository()
    {
        await using var store = OpenStoreWithMissingContainer();

        await AssertMissingContainerAsync(() => ListAsync(store, "", Ct));
        await AssertMissingContainerAsync(() => store.StatAsync("k", Ct));
        await AssertMissingContainerAsync(() => store.OpenReadAsync("k", null, Ct));
        await AssertMissingContainerAsync(async () =>
        {
            await using var upload = await store.CreateAsync("k", Ct);
            await upload.WriteAsync(new byte[] { 1 }, Ct);
            await upload.CompleteAsync(Ct);
        });
    }

    [Fact]
    public async Task EnsureCreated_makes_a_missing_container_usable_and_is_idempotent()
    {
        await using var store = OpenStoreWithMissingContainer();
        try
        {
            await store.EnsureCreatedAsync(Ct);
            await store.EnsureCreatedAsync(Ct);
            await PutAsync(store, "first", [42]);

            Assert.Equal(["first"], (await ListAsync(store, "", Ct)).Select(o => o.Key));
            await store.DeleteAsync("first", Ct);
        }
        finally
        {
            await RemoveContainerAsync(store);
        }
    }

    [Fact]
    public async Task A_completed_upload_refuses_more_writes()
    {
        await using var upload = await Store.CreateAsync("once", Ct);
        await upload.WriteAsync(new byte[] { 1 }, Ct);
        await upload.CompleteAsync(Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(() => upload.WriteAsync(new byte[] { 2 }, Ct).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => upload.CompleteAsync(Ct));
        Assert.Equal([1], await ReadAsync("once"));
    }

    [Fact]
    public async Task A_cancelled_token_stops_operations()
    {
        await PutAsync("present", [1]);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.OpenReadAsync("present", null, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.StatAsync("present", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.DeleteAsync("present", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ListAsync(Store, "", cancelled.Token));
        Assert.Equal([1], await ReadAsync("present"));
    }

    protected Task PutAsync(string key, byte[] data) => PutAsync(Store, key, data);

    protected static async Task PutAsync(IObjectStore store, string key, byte[] data)
    {
        await using var upload = await store.CreateAsync(key, Ct);
        await upload.WriteAsync(data, Ct);
        await upload.CompleteAsync(Ct);
    }

    protected async Task<byte[]> ReadAsync(string key, ByteRange? range = null)
    {
        await using var stream = await Store.OpenReadAsync(key, range, Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    protected Task<List<ObjectInfo>> ListAsync(string prefix) => ListAsync(Store, prefix, Ct);

    protected static async Task<List<ObjectInfo>> ListAsync(IObjectStore store, string prefix, CancellationToken cancellationToken)
    {
        var result = new List<ObjectInfo>();
        await foreach (var info in store.ListAsync(prefix, cancellationToken))
            result.Add(info);
        return result;
    }

    protected async Task AssertAbsentAsync(string key)
    {
        Assert.Null(await Store.StatAsync(key, Ct));
        Assert.DoesNotContain(await ListAsync(""), o => o.Key == key);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync(key, null, Ct));
    }

    private static async Task AssertMissingContainerAsync(Func<Task> action)
    {
        var error = await Assert.ThrowsAnyAsync<LifeboatException>(action);
        // "object 'k' does not exist" would be the wrong answer: it is the container that is missing.
        Assert.IsNotType<ObjectNotFoundException>(error);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Remedy(RemedyAction.CreateRepository), error.Remedy);
        Assert.Equal(FailureKind.Usage, error.Kind);
    }

    private sealed class Utf8BytesComparer : IComparer<byte[]>
    {
        public static Utf8BytesComparer Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
