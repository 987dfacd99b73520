using System.Security.Cryptography;
using System.Text.Json;
using Lifeboat.Storage;

namespace Lifeboat.Repository;

/// <summary>
/// A held repository lock. Backups and restores share; prune excludes everyone. A heartbeat keeps it
/// fresh; a stale lock is reported with its owner and never silently taken over.
/// </summary>
public sealed class RepositoryLock : IAsyncDisposable
{
    /// <summary>How long a lock may go without a heartbeat before it counts as stale.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromMinutes(2);

    private readonly IObjectStore _store;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeat;
    private LockRecord _record;

    private RepositoryLock(IObjectStore store, LockRecord record)
    {
        _store = store;
        _record = record;
        _heartbeat = Task.Run(HeartbeatLoopAsync);
    }

    /// <summary>The record this lock wrote.</summary>
    public LockRecord Record => _record;

    /// <summary>Takes a shared or exclusive lock, failing with the holder named when another lock conflicts.</summary>
    public static async Task<RepositoryLock> AcquireAsync(IObjectStore store, bool exclusive, string command, CancellationToken cancellationToken)
    {
        await ThrowIfConflictingAsync(store, exclusive, null, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var record = new LockRecord
        {
            Id = $"{now:yyyyMMddTHHmmssZ}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
            Exclusive = exclusive,
            Command = command,
            Host = Environment.MachineName,
            Pid = Environment.ProcessId,
            CreatedAt = now,
            HeartbeatAt = now,
        };
        await WriteAsync(store, record, cancellationToken);
        try
        {
            // Two processes may have passed the first check at once; the second look makes both see each other,
            // so at worst both step back, never both proceed.
            await ThrowIfConflictingAsync(store, exclusive, record.Id, cancellationToken);
        }
        catch
        {
            await store.DeleteAsync(KeyOf(record.Id), CancellationToken.None);
            throw;
        }

        return new RepositoryLock(store, record);
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
            catch (LifeboatException)
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

    private static async Task ThrowIfConflictingAsync(IObjectStore store, bool exclusive, string? ownId, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var other in await ListAsync(store, cancellationToken))
        {
            if (other.Id == ownId || (!exclusive && !other.Exclusive))
                continue;
            if (other.IsStale(now, StaleAfter))
            {
                throw new LifeboatException(
                    $"the repository at {store.Location} is locked by a stale {other.Describe()}",
                    "if that process is really gone, run 'lifeboat unlock' to remove stale locks");
            }

            throw new LifeboatException(
                $"the repository at {store.Location} is locked: {other.Describe()}",
                "wait for that command to finish, then try again");
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
        using var timer = new PeriodicTimer(HeartbeatEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    _record = _record with { HeartbeatAt = DateTimeOffset.UtcNow };
                    await WriteAsync(_store, _record, _stop.Token);
                }
                catch (Exception e) when (e is LifeboatException or IOException)
                {
                    // A missed beat is made up at the next tick; the lock only turns stale after StaleAfter.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Released.
        }
    }

    /// <summary>Stops the heartbeat and removes the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
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
