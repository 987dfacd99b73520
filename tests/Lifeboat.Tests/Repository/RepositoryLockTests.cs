using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.TestKit.Storage;

namespace Lifeboat.Tests.Repository;

public sealed class RepositoryLockTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-lock-").FullName;
    private FileObjectStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new FileObjectStore(_dir);
        await _store.EnsureCreatedAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Two_backups_share_the_repository_at_once()
    {
        await using var first = await RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: false, "backup postgres", Ct);
        await using var second = await RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: false, "backup postgres", Ct);

        Assert.Equal(2, (await RepositoryLock.ListAsync(_store, Ct)).Count);
    }

    [Fact]
    public async Task An_exclusive_lock_is_refused_while_a_live_shared_lock_is_held_naming_its_owner()
    {
        await using var shared = await RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: false, "backup postgres", Ct);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: true, "prune", Ct));

        Assert.Contains("held by 'backup postgres'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"pid {Environment.ProcessId}", error.Message, StringComparison.Ordinal);
        Assert.Single(await RepositoryLock.ListAsync(_store, Ct));
    }

    [Fact]
    public async Task A_shared_lock_is_refused_while_an_exclusive_lock_is_held()
    {
        await using var exclusive = await RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: true, "prune", Ct);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: false, "backup postgres", Ct));

        Assert.Contains("locked", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Releasing_a_lock_removes_its_record()
    {
        var held = await RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: true, "prune", Ct);
        await held.DisposeAsync();

        Assert.Empty(await RepositoryLock.ListAsync(_store, Ct));
    }

    [Fact]
    public async Task Unlock_removes_only_stale_locks_unless_told_to_remove_all()
    {
        await using var live = await RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: false, "backup postgres", Ct);
        var stale = live.Record with { Id = "20200101T000000Z-00000000", Pid = 1, Host = "gone-host", HeartbeatAt = DateTimeOffset.UtcNow.AddHours(-1) };
        await using (var upload = await _store.CreateAsync(RepositoryLayout.LocksPrefix + stale.Id, Ct))
        {
            await upload.WriteAsync(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(stale, RepositoryJson.Default.LockRecord), Ct);
            await upload.CompleteAsync(Ct);
        }

        var removed = await RepositoryLock.RemoveAsync(_store, all: false, Ct);

        Assert.Equal(stale.Id, Assert.Single(removed).Id);
        Assert.Equal(live.Record.Id, Assert.Single(await RepositoryLock.ListAsync(_store, Ct)).Id);
    }

    [Fact]
    public async Task A_lock_removed_while_held_is_lost_with_why_and_not_written_back()
    {
        await using var held = await RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: false, "backup postgres", FastBeat, TimeSpan.FromMinutes(10), Ct);

        await RepositoryLock.RemoveAsync(_store, all: true, Ct);
        await WaitUntilLostAsync(held);

        Assert.StartsWith($"the repository lock of this 'backup postgres' ({held.Record.Id}) was removed while it ran", held.LostBecause!.Message, StringComparison.Ordinal);
        await Task.Delay(FastBeat * 4, Ct);
        Assert.Empty(await RepositoryLock.ListAsync(_store, Ct));
    }

    [Fact]
    public async Task A_lock_that_cannot_be_refreshed_until_nearly_stale_is_lost_with_why()
    {
        var failing = new FailingWritesStore(_store);
        await using var held = await RepositoryLock.AcquireAsync(failing, LockScope.Repository, exclusive: false, "restore postgres", FastBeat, FastBeat * 6, Ct);

        failing.Failing = true;
        await WaitUntilLostAsync(held);

        Assert.StartsWith("could not refresh the repository lock of this 'restore postgres' since ", held.LostBecause!.Message, StringComparison.Ordinal);
        Assert.Contains("(the S3 server is down)", held.LostBecause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missed_heartbeats_are_made_up_while_the_lock_is_far_from_stale()
    {
        var failing = new FailingWritesStore(_store);
        await using var held = await RepositoryLock.AcquireAsync(failing, LockScope.Repository, exclusive: false, "backup postgres", FastBeat, TimeSpan.FromMinutes(10), Ct);
        var before = held.Record.HeartbeatAt;

        failing.Failing = true;
        await Task.Delay(FastBeat * 5, Ct);
        failing.Failing = false;
        var refreshed = DateTimeOffset.MinValue;
        for (var i = 0; i < 200 && refreshed <= before; i++)
        {
            await Task.Delay(FastBeat, Ct);
            refreshed = Assert.Single(await RepositoryLock.ListAsync(_store, Ct)).HeartbeatAt;
        }

        Assert.True(refreshed > before, "the heartbeat never caught up");
        Assert.False(held.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task A_store_that_stops_answering_loses_the_lock_before_it_could_be_taken_as_stale()
    {
        var failing = new FailingWritesStore(_store);
        await using var held = await RepositoryLock.AcquireAsync(failing, LockScope.Repository, exclusive: false, "backup postgres", FastBeat, FastBeat * 6, Ct);

        failing.Hanging = true;
        await WaitUntilLostAsync(held);

        Assert.StartsWith("could not refresh the repository lock of this 'backup postgres' since ", held.LostBecause!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_blocked_in_a_call_that_ignores_cancellation_still_loses_the_lock_in_time()
    {
        var failing = new FailingWritesStore(_store);
        await using var held = await RepositoryLock.AcquireAsync(failing, LockScope.Repository, exclusive: false, "backup postgres", FastBeat, FastBeat * 6, Ct);

        failing.Blocked.Reset();
        try
        {
            await WaitUntilLostAsync(held);
        }
        finally
        {
            failing.Blocked.Set();
        }

        Assert.StartsWith("could not refresh the repository lock of this 'backup postgres' since ", held.LostBecause!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_that_took_the_repository_while_this_lock_was_gone_is_named_as_the_loss()
    {
        await using var held = await RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: false, "backup postgres", FastBeat, TimeSpan.FromMinutes(10), Ct);
        // As a prune that started while the record was briefly missing would have written it.
        var prune = held.Record with { Id = "20990101T000000Z-00000000", Exclusive = true, Command = "prune", Host = "other-host", Pid = 4242 };
        await using (var upload = await _store.CreateAsync(RepositoryLayout.LocksPrefix + prune.Id, Ct))
        {
            await upload.WriteAsync(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(prune, RepositoryJson.Default.LockRecord), Ct);
            await upload.CompleteAsync(Ct);
        }

        await WaitUntilLostAsync(held);

        Assert.Contains("was lost while it ran: ", held.LostBecause!.Message, StringComparison.Ordinal);
        Assert.Contains("'prune'", held.LostBecause.Message, StringComparison.Ordinal);
    }

    private static readonly TimeSpan FastBeat = TimeSpan.FromMilliseconds(40);

    private static async Task WaitUntilLostAsync(RepositoryLock held)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(30), held.Lost);
        }
        catch (OperationCanceledException) when (held.Lost.IsCancellationRequested)
        {
            return;
        }

        Assert.Fail("the lock was never reported lost");
    }

    /// <summary>The real store, whose writes fail on demand as an unreachable S3 server's would, and whose looks can hang.</summary>
    private sealed class FailingWritesStore(IObjectStore inner) : InterceptedStore(inner)
    {
        public volatile bool Failing;

        public volatile bool Hanging;

        /// <summary>Reset, every look at the store blocks its thread (as a hung network file system does) until set.</summary>
        public ManualResetEventSlim Blocked { get; } = new(initialState: true);

        public override Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken) =>
            Failing ? throw new LifeboatException("the S3 server is down") : base.CreateAsync(key, cancellationToken);

        public override async Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken)
        {
            Blocked.Wait(CancellationToken.None);
            if (Hanging)
                await Task.Delay(Timeout.Infinite, cancellationToken);
            return await base.StatAsync(key, cancellationToken);
        }

        // The test class disposes the store it wraps.
        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
