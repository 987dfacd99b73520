using StackExchange.Redis;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// Asks the target, in pipelined EXISTS batches, whether it already has keys the restore would write, for the
/// databases where it holds any; only reads, so it runs during the verification pass, before the first write.
/// </summary>
internal sealed class CollisionCheck(RestoreTarget target, IReadOnlyDictionary<int, long> keysPerDatabase)
{
    private const int BatchSize = 500;
    private const int MaxBatchesInFlight = 32;

    private readonly Dictionary<int, List<RedisKey>> _pending = [];
    private readonly Queue<Batch> _inFlight = new();
    private Batch? _firstColliding;

    private sealed record Batch(int Db, RedisKey[] Keys, Task<long> Existing);

    /// <summary>Keys found existing so far.</summary>
    public long Collisions { get; private set; }

    public async ValueTask OfferAsync(int db, byte[] key, CancellationToken cancellationToken)
    {
        if (!keysPerDatabase.ContainsKey(db))
            return;
        if (!_pending.TryGetValue(db, out var batch))
            _pending[db] = batch = new List<RedisKey>(BatchSize);
        batch.Add(key);
        if (batch.Count == BatchSize)
            await SendAsync(db, cancellationToken);
    }

    /// <summary>Sends what is pending and waits for every answer; returns the first existing key, or null when none exists.</summary>
    public async Task<(int Db, byte[] Key)?> FinishAsync(CancellationToken cancellationToken)
    {
        foreach (var db in _pending.Keys.ToList())
            await SendAsync(db, cancellationToken);
        while (_inFlight.Count > 0)
            await CompleteOldestAsync(cancellationToken);
        if (_firstColliding is null)
            return null;
        foreach (var key in _firstColliding.Keys)
        {
            var database = target.Connection.GetDatabase(_firstColliding.Db);
            if (await Commands.RunAsync(target, () => database.KeyExistsAsync(key), "EXISTS", cancellationToken))
                return (_firstColliding.Db, (byte[])key!);
        }

        return null;
    }

    private async ValueTask SendAsync(int db, CancellationToken cancellationToken)
    {
        var keys = _pending[db].ToArray();
        _pending.Remove(db);
        if (keys.Length == 0)
            return;
        _inFlight.Enqueue(new Batch(db, keys, target.Connection.GetDatabase(db).KeyExistsAsync(keys)));
        if (_inFlight.Count > MaxBatchesInFlight)
            await CompleteOldestAsync(cancellationToken);
    }

    private async Task CompleteOldestAsync(CancellationToken cancellationToken)
    {
        var batch = _inFlight.Dequeue();
        var existing = await Commands.RunAsync(target, () => batch.Existing, "EXISTS", cancellationToken);
        Collisions += existing;
        if (existing > 0)
            _firstColliding ??= batch;
    }
}
