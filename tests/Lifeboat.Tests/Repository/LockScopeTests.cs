using System.Text.Json;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Tests.Repository;

/// <summary>Locks are scoped: an operator command on one thing does not stop work on another, and holders are known across pid reuse.</summary>
public sealed class LockScopeTests : IAsyncLifetime
{
    private static readonly LockScope App = LockScope.Source("postgres", "app");
    private static readonly LockScope Uploads = LockScope.Source("buckets", "uploads");
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-lockscope-").FullName;
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
    public async Task An_exclusive_lock_on_one_source_does_not_stop_another_sources_backups()
    {
        await using var prune = await RepositoryLock.AcquireAsync(_store, App, exclusive: true, "prune", Ct);

        await using var backup = await RepositoryLock.AcquireAsync(_store, Uploads, exclusive: false, "backup buckets", Ct);

        Assert.Equal("buckets/uploads", backup.Record.Scope);
    }

    [Fact]
    public async Task An_exclusive_lock_on_a_source_stops_that_sources_backups_and_names_the_holder()
    {
        await using var prune = await RepositoryLock.AcquireAsync(_store, App, exclusive: true, "prune", Ct);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => RepositoryLock.AcquireAsync(_store, App, exclusive: false, "backup postgres", Ct));

        Assert.Contains($"exclusive lock {prune.Record.Id} on postgres/app held by 'prune'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_a_key_slot_does_not_stop_backups_and_backups_do_not_stop_it()
    {
        await using var backup = await RepositoryLock.AcquireAsync(_store, App, exclusive: false, "backup postgres", Ct);

        await using var keyRemove = await RepositoryLock.AcquireAsync(_store, LockScope.Keys, exclusive: true, "key remove", Ct);

        Assert.Equal(2, (await RepositoryLock.ListAsync(_store, Ct)).Count);
    }

    [Fact]
    public async Task A_lock_over_the_whole_repository_conflicts_with_work_on_any_source()
    {
        await using var backup = await RepositoryLock.AcquireAsync(_store, Uploads, exclusive: false, "backup buckets", Ct);

        await Assert.ThrowsAsync<LifeboatException>(() => RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: true, "migrate", Ct));
        await using var check = await RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: false, "check", Ct);
    }

    [Fact]
    public async Task A_lock_record_written_before_scopes_covers_the_whole_repository()
    {
        await WriteRecordAsync("""{"id":"20261101T000000Z-0000aaaa","exclusive":true,"command":"prune","host":"elsewhere","pid":7,"createdAt":"2099-01-01T00:00:00Z","heartbeatAt":"2099-01-01T00:00:00Z"}""");

        var error = await Assert.ThrowsAsync<LifeboatException>(() => RepositoryLock.AcquireAsync(_store, Uploads, exclusive: false, "backup buckets", Ct));

        Assert.Contains("on the whole repository held by 'prune'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lock_whose_pid_now_belongs_to_a_later_process_of_this_pid_namespace_is_stale()
    {
        // A later process has the old holder's pid (the same pid 1 of a container restarted in a shared namespace), not its start time.
        var record = Record() with { Pid = Environment.ProcessId, Owner = "0000000000000000", ProcessStart = ProcessIdentity.StartTicks - 1 };

        Assert.True(record.IsStale(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void A_lock_of_a_live_process_on_this_host_is_not_stale()
    {
        var record = Record() with { Pid = Environment.ProcessId, Owner = "0000000000000000", ProcessStart = ProcessIdentity.StartTicks };

        Assert.False(record.IsStale(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void A_lock_of_this_host_name_under_another_kernel_is_stale_only_once_its_heartbeat_stops()
    {
        var record = Record() with { Pid = 999_999, BootId = "another-boot", ProcessStart = 5 };

        Assert.False(record.IsStale(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10)));
        Assert.True(record.IsStale(DateTimeOffset.UtcNow.AddMinutes(11), TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void A_lock_held_in_another_pid_namespace_of_this_host_is_stale_only_once_its_heartbeat_stops()
    {
        // A sidecar container: same host name, same kernel, its own pids.
        var record = Record() with { Pid = 999_999, PidNamespace = "pid:[1]", ProcessStart = 5 };

        Assert.False(record.IsStale(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10)));
        Assert.True(record.IsStale(DateTimeOffset.UtcNow.AddMinutes(11), TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void A_lock_whose_holder_is_gone_from_this_pid_namespace_is_stale()
    {
        var record = Record() with { Pid = int.MaxValue, PidNamespace = ProcessIdentity.PidNamespace, ProcessStart = 5 };

        Assert.True(record.IsStale(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void The_start_time_of_this_process_is_read_and_a_missing_process_has_none()
    {
        Assert.NotNull(ProcessIdentity.StartTicks);
        Assert.Equal(ProcessIdentity.StartTicks, ProcessIdentity.StartTicksOf(Environment.ProcessId));
        Assert.Null(ProcessIdentity.StartTicksOf(int.MaxValue));
    }

    private static LockRecord Record() => new()
    {
        Id = "20261101T000000Z-0000bbbb",
        Exclusive = false,
        Scope = "postgres/app",
        Command = "backup postgres",
        Host = Environment.MachineName,
        Pid = 1,
        BootId = ProcessIdentity.BootId,
        PidNamespace = ProcessIdentity.PidNamespace,
        CreatedAt = DateTimeOffset.UtcNow,
        HeartbeatAt = DateTimeOffset.UtcNow,
    };

    private async Task WriteRecordAsync(string json)
    {
        var id = JsonDocument.Parse(json).RootElement.GetProperty("id").GetString()!;
        await using var upload = await _store.CreateAsync(RepositoryLayout.LocksPrefix + id, Ct);
        await upload.WriteAsync(System.Text.Encoding.UTF8.GetBytes(json), Ct);
        await upload.CompleteAsync(Ct);
    }
}
