using System.Security.Cryptography;
using System.Text.Json;
using Lifeboat.Storage;

namespace Lifeboat.Repository;

/// <summary>
/// A held repository lock over a <see cref="LockScope"/>: the whole repository, the key slots, or one source's
/// backups. Backups and restores share; prune and key removal exclude, but only within their scope (docs/RUNBOOK.md
/// "Locks" says which command takes which). A heartbeat keeps it
/// fresh; a stale lock is reported with its owner and never silently taken over. A lock that was removed,
/// or could not be refreshed for so long that others may take it as stale, is lost: <see cref="Lost"/> fires,
/// and the work under it must stop, since prune may already be deleting what it writes or reads.
/// </summary>
public sealed class RepositoryLock : IAsyncDisposable
{
    /// <summary>How long a lock may go without a heartbeat before it counts as stale.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan BeatDrainTime = TimeSpan.FromSeconds(5);

    private readonly IObjectStore _store;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly TimeSpan _heartbeatEvery;
    private readonly TimeSpan _staleAfter;
    private readonly Task _heartbeat;
    private Task _beat = Task.CompletedTask;
    private LockRecord _record;

    private RepositoryLock(IObjectStore store, LockRecord record, TimeSpan heartbeatEvery, TimeSpan staleAfter)
    {
        _store = store;
        _record = record;
        _heartbeatEvery = heartbeatEvery;
        _staleAfter = staleAfter;
        _heartbeat = Task.Run(HeartbeatLoopAsync);
    }

    /// <summary>The record this lock wrote.</summary>
    public LockRecord Record => _record;

    /// <summary>Cancelled when the lock is lost; <see cref="LostBecause"/> then says why.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Why the lock was lost, once <see cref="Lost"/> has fired; null while it is held.</summary>
    public LifeboatException? LostBecause { get; private set; }

    /// <summary>Takes a shared or exclusive lock over <paramref name="scope"/>, failing with the holder named when another lock conflicts.</summary>
    public static Task<RepositoryLock> AcquireAsync(IObjectStore store, LockScope scope, bool exclusive, string command, CancellationToken cancellationToken) =>
        AcquireAsync(store, scope, exclusive, command, HeartbeatEvery, StaleAfter, cancellationToken);

    /// <summary>As <see cref="AcquireAsync(IObjectStore, LockScope, bool, string, CancellationToken)"/>, with the heartbeat's timing given (tests).</summary>
    internal static async Task<RepositoryLock> AcquireAsync(
        IObjectStore store, LockScope scope, bool exclusive, string command, TimeSpan heartbeatEvery, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        await ThrowIfConflictingAsync(store, scope, exclusive, null, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var record = new LockRecord
        {
            Id = $"{now:yyyyMMddTHHmmssZ}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
            Exclusive = exclusive,
            Scope = scope.Value,
            Command = command,
            Host = Environment.MachineName,
            Pid = Environment.ProcessId,
            Owner = ProcessIdentity.Token,
            BootId = ProcessIdentity.BootId,
            ProcessStart = ProcessIdentity.StartTicks,
            PidNamespace = ProcessIdentity.PidNamespace,
            CreatedAt = now,
            HeartbeatAt = now,
        };
        await WriteAsync(store, record, cancellationToken);
        try
        {
            // Two processes may have passed the first check at once; the second look makes both see each other,
            // so at worst both step back, never both proceed.
            await ThrowIfConflictingAsync(store, scope, exclusive, record.Id, cancellationToken);
        }
        catch
        {
            await store.DeleteAsync(KeyOf(record.Id), CancellationToken.None);
            throw;
        }

        return new RepositoryLock(store, record, heartbeatEvery, staleAfter);
    }

    /// <summary>All lock records in the repository.</summary>
    public static async Task<IReadOnlyList<LockRecord>> ListAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        var records = new List<LockRecord>();
        await foreach (var info in store.ListAsync(RepositoryLayout.LocksPrefix, cancellationToken))
        {
            try
            {
                var bytes = await BackupRepository.ReadPlainAsync(store, info.Key, cancellationToken);
                records.Add(RepositoryJson.Parse(bytes, RepositoryJson.Default.LockRecord, info.Key));
            }
            catch (ObjectNotFoundException)
            {
                // Released between list and read.
            }
            catch (DamagedRecordException)
            {
                // An unreadable record must not lock the repository for good: it shows up as a lock whose
                // heartbeat is its file time, so it turns stale and 'unlock' can remove it.
                records.Add(Unreadable(info));
            }
        }

        return records;
    }

    /// <summary>Removes stale locks (or all with <paramref name="all"/>) and returns what it removed.</summary>
    public static async Task<IReadOnlyList<LockRecord>> RemoveAsync(IObjectStore store, bool all, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var removed = new List<LockRecord>();
        foreach (var record in await ListAsync(store, cancellationToken))
        {
            if (!all && !record.IsStale(now, StaleAfter))
                continue;
            await store.DeleteAsync(KeyOf(record.Id), cancellationToken);
            removed.Add(record);
        }

        return removed;
    }

    private static async Task ThrowIfConflictingAsync(IObjectStore store, LockScope scope, bool exclusive, string? ownId, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var other in await ListAsync(store, cancellationToken))
        {
            if (other.Id == ownId || !other.ConflictsWith(scope, exclusive))
                continue;
            if (other.IsStale(now, StaleAfter))
            {
                throw new LifeboatException($"the repository at {store.Location} is locked by a stale {other.Describe()}")
                {
                    Remedy = new(RemedyAction.RemoveStaleLocks),
                };
            }

            throw new LifeboatException(
                $"the repository at {store.Location} is locked: {other.Describe()}",
                // A holder that ended where its pid cannot be looked up (another container, another node) is known
                // gone only when its heartbeat stops; say when that would be.
                $"wait for that command to finish, then try again; if it has ended without releasing the lock, the lock turns stale at {other.HeartbeatAt + StaleAfter:yyyy-MM-ddTHH:mm:ssZ}");
        }
    }

    private static string KeyOf(string id) => RepositoryLayout.LocksPrefix + id;

    private static LockRecord Unreadable(ObjectInfo info) => new()
    {
        Id = info.Key[RepositoryLayout.LocksPrefix.Length..],
        Exclusive = true,
        Command = "(unreadable lock record)",
        Host = "unknown",
        Pid = 0,
        CreatedAt = info.LastModified,
        HeartbeatAt = info.LastModified,
    };

    private static Task WriteAsync(IObjectStore store, LockRecord record, CancellationToken cancellationToken) =>
        BackupRepository.PutPlainAsync(store, KeyOf(record.Id), JsonSerializer.SerializeToUtf8Bytes(record, RepositoryJson.Default.LockRecord), cancellationToken);

    private async Task HeartbeatLoopAsync()
    {
        using var timer = new PeriodicTimer(_heartbeatEvery);
        // Released by disposing the timer, which ends the wait with false, rather than by cancelling the wait: a
        // cancelled wait throws, and in a Native AOT build the first stack trace costs ~17 ms of CPU (the method-name
        // map) at the end of every command that takes the lock.
        using var release = _stop.Token.UnsafeRegister(static timer => ((PeriodicTimer)timer!).Dispose(), timer);
        var lastBeat = _record.HeartbeatAt;
        Exception? lastError = null;
        try
        {
            while (await timer.WaitForNextTickAsync())
            {
                // Once the record is nearly as old as a stale lock, another process may take it as abandoned. A beat
                // may take only until then, however the store hangs (a cancellable call or a blocked file system).
                var deadline = lastBeat + _staleAfter - _heartbeatEvery;
                try
                {
                    var left = deadline - DateTimeOffset.UtcNow;
                    if (left <= TimeSpan.Zero)
                        throw new TimeoutException();
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    attempt.CancelAfter(left);
                    // On the thread pool: a store blocked inside a synchronous call must not block the wait as well.
                    var beat = Task.Run(() => BeatAsync(attempt.Token), CancellationToken.None);
                    _beat = beat;
                    var lost = await beat.WaitAsync(left, _stop.Token);
                    if (lost is not null)
                    {
                        Lose(lost.Value.Message, lost.Value.Hint);
                        return;
                    }

                    lastBeat = _record.HeartbeatAt;
                    lastError = null;
                }
                catch (Exception e) when (!_stop.IsCancellationRequested)
                {
                    // The store's own error says more than the timeout that may follow it.
                    if (e is not (OperationCanceledException or TimeoutException))
                        lastError = e;

                    // A missed beat is made up at the next one, if that comes before the deadline.
                    if (DateTimeOffset.UtcNow + _heartbeatEvery < deadline)
                        continue;
                    Lose($"could not refresh the repository lock of this '{_record.Command}' since {lastBeat:yyyy-MM-dd HH:mm:ss}Z ({lastError?.Message ?? "the repository did not answer"}); other commands may soon take it as stale",
                        "check that the repository is reachable, then run the command again");
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Released.
        }
    }

    /// <summary>Refreshes the record; returns why the lock is lost when it is, else null.</summary>
    private async Task<(string Message, string Hint)?> BeatAsync(CancellationToken cancellationToken)
    {
        // Rewriting a removed record would hide that 'lifeboat unlock' (or prune, after taking it for stale)
        // already let others in.
        if (await _store.StatAsync(KeyOf(_record.Id), cancellationToken) is null)
        {
            return ($"the repository lock of this '{_record.Command}' ({_record.Id}) was removed while it ran, by 'lifeboat unlock' or by hand",
                "run the command again; do not remove the locks of running commands");
        }

        _record = _record with { HeartbeatAt = DateTimeOffset.UtcNow };
        await WriteAsync(_store, _record, cancellationToken);

        // Removed between the look and the write, the record was written back; a command that came in while it was
        // gone holds a conflicting lock now, and shows it.
        foreach (var other in await ListAsync(_store, cancellationToken))
        {
            if (other.Id != _record.Id && other.ConflictsWith(_record.LockScope, _record.Exclusive))
            {
                return ($"the repository lock of this '{_record.Command}' ({_record.Id}) was lost while it ran: {other.Describe()} took the repository meanwhile",
                    "run the command again once that one has finished; do not remove the locks of running commands");
            }
        }

        return null;
    }

    private void Lose(string message, string hint)
    {
        LostBecause = new LifeboatException(message, hint);
        _lost.Cancel();
    }

    /// <summary>Stops the heartbeat and removes the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // A beat still under way would write the record back after its removal below and leave a lock behind; it
        // was cancelled with the rest, and a store that ignores that gets a few seconds, not the command's end.
        await _beat.WaitAsync(BeatDrainTime).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _lost.Dispose();
        try
        {
            await _store.DeleteAsync(KeyOf(_record.Id), CancellationToken.None);
        }
        catch (Exception e) when (e is LifeboatException or IOException)
        {
            // The work under the lock is done and must not be reported as failed; a lock left behind turns
            // stale once its heartbeat stops and is then named by the next command and removed by 'unlock'.
        }
    }
}
