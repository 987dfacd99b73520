using Lifeboat.Repository;
using Lifeboat.Storage;

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
        await using var first = await RepositoryLock.AcquireAsync(_store, exclusive: false, "backup postgres", Ct);
        await using var second = await RepositoryLock.AcquireAsync(_store, exclusive: false, "backup postgres", Ct);

        Assert.Equal(2, (await RepositoryLock.ListAsync(_store, Ct)).Count);
    }

    [Fact]
    public async Task An_exclusive_lock_is_refused_while_a_live_shared_lock_is_held_naming_its_owner()
    {
        await using var shared = await RepositoryLock.AcquireAsync(_store, exclusive: false, "backup postgres", Ct);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => RepositoryLock.AcquireAsync(_store, exclusive: true, "prune", Ct));

        Assert.Contains("held by 'backup postgres'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"pid {Environment.ProcessId}", error.Message, StringComparison.Ordinal);
        Assert.Single(await RepositoryLock.ListAsync(_store, Ct));
    }

    [Fact]
    public async Task A_shared_lock_is_refused_while_an_exclusive_lock_is_held()
    {
        await using var exclusive = await RepositoryLock.AcquireAsync(_store, exclusive: true, "prune", Ct);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => RepositoryLock.AcquireAsync(_store, exclusive: false, "backup postgres", Ct));

        Assert.Contains("locked", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Releasing_a_lock_removes_its_record()
    {
        var held = await RepositoryLock.AcquireAsync(_store, exclusive: true, "prune", Ct);
        await held.DisposeAsync();

        Assert.Empty(await RepositoryLock.ListAsync(_store, Ct));
    }

    [Fact]
    public async Task Unlock_removes_only_stale_locks_unless_told_to_remove_all()
    {
        await using var live = await RepositoryLock.AcquireAsync(_store, exclusive: false, "backup postgres", Ct);
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
}
