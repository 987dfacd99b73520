using Lifeboat.Storage;
using Lifeboat.TestKit.Storage;

namespace Lifeboat.Tests.TestKit;

/// <summary>The faulty store over a real file store: what it counts, and which calls it fails.</summary>
public sealed class FaultyObjectStoreTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-faulty-").FullName;
    private FaultyObjectStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new FaultyObjectStore(new FileObjectStore(_dir));
        await _store.EnsureCreatedAsync(Ct);
        foreach (var key in new[] { "data/a", "data/b", "locks/l1" })
            await WriteAsync(key);
        _store.ResetCalls();
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Each_call_is_counted_under_its_own_operation()
    {
        await WriteAsync("data/c");
        await _store.StatAsync("data/a", Ct);
        await _store.StatAsync("data/missing", Ct);
        await (await _store.OpenReadAsync("data/a", null, Ct)).DisposeAsync();
        await _store.DeleteAsync("data/c", Ct);
        await _store.ListAsync("locks/", Ct).ToListAsync(Ct);
        await _store.RemoveAbandonedUploadsAsync(TimeSpan.FromDays(1), Ct);

        Assert.Equal(new StoreCallCounts(List: 1, OpenRead: 1, Stat: 2, Create: 1, Delete: 1, EnsureCreated: 0, RemoveAbandonedUploads: 1, ObjectsListed: 1), _store.Calls);
    }

    [Fact]
    public async Task Resetting_the_counts_starts_them_from_zero()
    {
        await _store.StatAsync("data/a", Ct);
        await _store.ListAsync("", Ct).ToListAsync(Ct);

        _store.ResetCalls();

        Assert.Equal(StoreCallCounts.None, _store.Calls);
    }

    [Fact]
    public async Task A_listing_is_one_call_however_many_objects_it_gives_and_the_objects_are_counted_apart()
    {
        await _store.ListAsync("data/", Ct).ToListAsync(Ct);

        Assert.Equal((1, 2L), (_store.Calls.List, _store.Calls.ObjectsListed));
    }

    [Fact]
    public async Task A_fault_set_once_fails_the_next_matching_call_with_an_io_error_and_then_lets_calls_through()
    {
        var fault = _store.FailOnce(StoreOperation.OpenRead);

        await Assert.ThrowsAsync<IOException>(() => _store.OpenReadAsync("data/a", null, Ct));
        await (await _store.OpenReadAsync("data/a", null, Ct)).DisposeAsync();

        Assert.Equal((1, 0), (fault.Hits, fault.Remaining));
    }

    [Fact]
    public async Task A_fault_set_n_times_fails_exactly_n_calls()
    {
        _store.Fail(StoreOperation.Stat, times: 2);

        await Assert.ThrowsAsync<IOException>(() => _store.StatAsync("data/a", Ct));
        await Assert.ThrowsAsync<IOException>(() => _store.StatAsync("data/a", Ct));

        Assert.NotNull(await _store.StatAsync("data/a", Ct));
    }

    [Fact]
    public async Task An_always_fault_fails_every_call_until_it_is_stopped()
    {
        var fault = _store.Fail(StoreOperation.Delete);
        for (var i = 0; i < 5; i++)
            await Assert.ThrowsAsync<IOException>(() => _store.DeleteAsync("data/a", Ct));

        fault.Stop();
        await _store.DeleteAsync("data/a", Ct);

        Assert.Null(await _store.StatAsync("data/a", Ct));
    }

    [Fact]
    public async Task A_fault_fails_only_the_keys_its_predicate_accepts()
    {
        _store.Fail(StoreOperation.Stat, keyMatches: key => key.StartsWith("locks/", StringComparison.Ordinal));

        Assert.NotNull(await _store.StatAsync("data/a", Ct));
        await Assert.ThrowsAsync<IOException>(() => _store.StatAsync("locks/l1", Ct));
    }

    [Fact]
    public async Task A_fault_fails_only_its_own_operation()
    {
        _store.Fail(StoreOperation.Create);

        Assert.NotNull(await _store.StatAsync("data/a", Ct));
        await Assert.ThrowsAsync<IOException>(() => _store.CreateAsync("data/new", Ct));
    }

    [Fact]
    public async Task A_fault_throws_the_exception_the_test_gives_for_the_key()
    {
        _store.FailOnce(StoreOperation.Create, error: key => new LifeboatException($"the S3 server is down while writing {key}"));

        var error = await Assert.ThrowsAsync<LifeboatException>(() => _store.CreateAsync("data/new", Ct));

        Assert.Equal("the S3 server is down while writing data/new", error.Message);
    }

    [Fact]
    public async Task A_failed_call_is_still_counted()
    {
        _store.FailOnce(StoreOperation.OpenRead);

        await Assert.ThrowsAsync<IOException>(() => _store.OpenReadAsync("data/a", null, Ct));

        Assert.Equal(1, _store.Calls.OpenRead);
    }

    [Fact]
    public async Task A_failing_listing_throws_when_it_is_read_and_its_prefix_is_the_key()
    {
        _store.FailOnce(StoreOperation.List, keyMatches: prefix => prefix == "locks/");
        var listing = _store.ListAsync("locks/", Ct);

        await Assert.ThrowsAsync<IOException>(async () => await listing.ToListAsync(Ct));
        Assert.Equal(2, (await _store.ListAsync("data/", Ct).ToListAsync(Ct)).Count);
    }

    [Fact]
    public async Task A_failed_call_leaves_the_real_store_untouched()
    {
        _store.FailOnce(StoreOperation.Delete);

        await Assert.ThrowsAsync<IOException>(() => _store.DeleteAsync("data/a", Ct));

        Assert.True(File.Exists(Path.Combine(_dir, "data", "a")));
    }

    private async Task WriteAsync(string key)
    {
        await using var upload = await _store.CreateAsync(key, Ct);
        await upload.WriteAsync("x"u8.ToArray(), Ct);
        await upload.CompleteAsync(Ct);
    }
}
