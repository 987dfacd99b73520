using Lifeboat.Storage;

namespace Lifeboat.IntegrationTests.Storage;

/// <summary>The contract of <see cref="IObjectStore.TryCreateNewAsync"/>: a small object made only where none is, atomically.</summary>
public abstract partial class ObjectStoreConformance
{
    private const int Creators = 8;

    [Fact]
    public async Task Create_if_absent_makes_a_missing_object_whole_and_says_it_did()
    {
        var data = BytePattern.Bytes(0, 5000);

        Assert.True(await Store.TryCreateNewAsync("claims/new", data, Ct));

        Assert.Equal(data, await ReadAsync("claims/new"));
        Assert.Equal(5000, (await Store.StatAsync("claims/new", Ct))?.Size);
    }

    [Fact]
    public async Task Create_if_absent_of_an_existing_object_says_so_and_leaves_the_object_as_it_was()
    {
        await PutAsync("uploaded", [1, 2, 3]);
        Assert.True(await Store.TryCreateNewAsync("created", new byte[] { 4, 5 }, Ct));

        Assert.False(await Store.TryCreateNewAsync("uploaded", new byte[] { 9 }, Ct));
        Assert.False(await Store.TryCreateNewAsync("created", new byte[] { 9, 9, 9 }, Ct));

        Assert.Equal([1, 2, 3], await ReadAsync("uploaded"));
        Assert.Equal([4, 5], await ReadAsync("created"));
    }

    [Fact]
    public async Task Of_many_creates_of_one_key_at_once_exactly_one_succeeds_and_the_object_is_its_content()
    {
        for (var round = 0; round < 10; round++)
        {
            var key = $"race/{round}";
            // A gate rather than a barrier: eight threads blocked in a barrier would wait for the pool to grow.
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var creates = Enumerable.Range(0, Creators).Select(async creator =>
            {
                await start.Task;
                return await Store.TryCreateNewAsync(key, BytePattern.Bytes(creator * 1000, 1000 + creator), Ct);
            }).ToList();
            start.SetResult();

            var created = await Task.WhenAll(creates);

            Assert.True(created.Count(c => c) == 1, $"round {round}: {created.Count(c => c)} creates said they made '{key}'");
            var winner = Array.IndexOf(created, true);
            Assert.Equal(BytePattern.Bytes(winner * 1000, 1000 + winner), await ReadAsync(key));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("folder/")]
    public async Task Create_if_absent_rejects_bad_keys(string key)
    {
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.TryCreateNewAsync(key, new byte[] { 1 }, Ct));
    }

    [Fact]
    public async Task Create_if_absent_in_a_missing_container_is_the_missing_container_error()
    {
        await using var store = OpenStoreWithMissingContainer();

        await AssertMissingContainerAsync(() => store.TryCreateNewAsync("k", new byte[] { 1 }, Ct));
    }

    [Fact]
    public async Task Create_if_absent_stops_at_a_cancelled_token_and_makes_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.TryCreateNewAsync("never", new byte[] { 1 }, cancelled.Token));

        await AssertAbsentAsync("never");
    }
}
