using Lifeboat.Buckets;
using Lifeboat.Buckets.Source;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Tests.Buckets;

/// <summary>The pieces that keep a bucket backup run safe: one live run per source, and a read's failure stopping the pool.</summary>
public sealed class BackupRunGuardsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_second_live_run_of_the_same_work_on_a_source_steps_back_and_other_work_does_not()
    {
        var dir = Directory.CreateTempSubdirectory("lifeboat-guard-").FullName;
        await using var store = new FileObjectStore(dir);
        var scope = LockScope.Source("buckets", "assets");
        await using var first = await RepositoryLock.AcquireAsync(store, scope, exclusive: false, "backup buckets", Ct);
        await using var second = await RepositoryLock.AcquireAsync(store, scope, exclusive: false, "backup buckets", Ct);
        await using var restore = await RepositoryLock.AcquireAsync(store, scope, exclusive: false, "restore bucket", Ct);
        await using var elsewhere = await RepositoryLock.AcquireAsync(store, LockScope.Source("buckets", "media"), exclusive: false, "backup buckets", Ct);

        var refused = await Assert.ThrowsAsync<LifeboatException>(() => SingleRunGuard.EnsureAloneAsync(store, second.Record, Ct));

        Assert.Contains($"lock {first.Record.Id} on buckets/assets held by 'backup buckets'", refused.Message, StringComparison.Ordinal);
        await SingleRunGuard.EnsureAloneAsync(store, restore.Record, Ct);
        await SingleRunGuard.EnsureAloneAsync(store, elsewhere.Record, Ct);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task A_failed_read_stops_the_pool_and_is_what_queueing_and_completing_throw()
    {
        var done = 0;
        await using var pool = new TransferPool(2, async (request, token) =>
        {
            await Task.Yield();
            if (request.Ticket == 3)
                throw new LifeboatException("read of ticket 3 failed");
            Interlocked.Increment(ref done);
        }, Ct);

        var queued = async () =>
        {
            for (var i = 0; i < 10_000; i++)
                await pool.EnqueueAsync(new ReadRequest(i, new ListingEntry($"k{i}", BucketObjectRecord.NullVersion, true, false, DateTimeOffset.UnixEpoch, 1, "e")), Ct);
        };

        var fromQueue = await Assert.ThrowsAsync<LifeboatException>(queued);
        var fromComplete = await Assert.ThrowsAsync<LifeboatException>(pool.CompleteAsync);

        Assert.Equal("read of ticket 3 failed", fromQueue.Message);
        Assert.Same(fromQueue, fromComplete);
        Assert.True(done < 10_000);
    }

    [Fact]
    public async Task Every_queued_read_runs_before_completing_returns()
    {
        var done = 0;
        await using var pool = new TransferPool(3, (_, _) =>
        {
            Interlocked.Increment(ref done);
            return Task.CompletedTask;
        }, Ct);
        for (var i = 0; i < 500; i++)
            await pool.EnqueueAsync(new ReadRequest(i, new ListingEntry($"k{i}", BucketObjectRecord.NullVersion, true, false, DateTimeOffset.UnixEpoch, 1, "e")), Ct);

        await pool.CompleteAsync();

        Assert.Equal(500, done);
    }
}
