namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// Commands sent and not yet answered, bounded in number and bytes: sending never waits for an answer until a bound is
/// reached, then for the oldest only, so the connection stays full while memory stays bounded.
/// </summary>
internal sealed class CommandWindow(RestoreTarget target, int maxCommands, long maxBytes)
{
    private readonly Queue<Sent> _sent = new();
    private long _bytes;

    /// <summary>What a sent command was, for the message should it fail: a key's RESTORE, or <see cref="Label"/>.</summary>
    private readonly record struct Sent(Task Command, long Bytes, int Db, byte[]? Key, string? Label)
    {
        public string What => Key is null ? Label! : $"RESTORE of key {Rdb.RdbKeyText.Quote(Key)} (database {Db})";
    }

    /// <summary>Adds the RESTORE of <paramref name="key"/>; waits only while the window is full.</summary>
    public ValueTask AddAsync(Task command, long bytes, int db, byte[] key, CancellationToken cancellationToken) =>
        AddAsync(new Sent(command, bytes, db, key, null), cancellationToken);

    /// <summary>Adds another command, named <paramref name="what"/> in messages.</summary>
    public ValueTask AddAsync(Task command, long bytes, string what, CancellationToken cancellationToken) =>
        AddAsync(new Sent(command, bytes, 0, null, what), cancellationToken);

    /// <summary>Waits for every answer; the first failure is thrown once all have come.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (_sent.Count > 0)
            await CompleteOldestAsync(cancellationToken);
    }

    private ValueTask AddAsync(Sent sent, CancellationToken cancellationToken)
    {
        _sent.Enqueue(sent);
        _bytes += sent.Bytes;
        return _sent.Count > maxCommands || _bytes > maxBytes ? CompleteUntilWithinBoundsAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    private async ValueTask CompleteUntilWithinBoundsAsync(CancellationToken cancellationToken)
    {
        while (_sent.Count > maxCommands || _bytes > maxBytes)
            await CompleteOldestAsync(cancellationToken);
    }

    private async Task CompleteOldestAsync(CancellationToken cancellationToken)
    {
        var oldest = _sent.Dequeue();
        _bytes -= oldest.Bytes;
        try
        {
            await oldest.Command.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (Commands.IsRedisFailure(e))
        {
            await AbandonRestAsync();
            throw Commands.Failure(target, oldest.What, e);
        }
        catch
        {
            await AbandonRestAsync();
            throw;
        }
    }

    /// <summary>Lets the commands still in flight finish, so none fails unobserved after the restore reported its error.</summary>
    private async Task AbandonRestAsync()
    {
        var rest = _sent.Select(s => s.Command).ToArray();
        _sent.Clear();
        _bytes = 0;
        try
        {
            await Task.WhenAll(rest);
        }
        catch (Exception e) when (Commands.IsRedisFailure(e))
        {
            // The first failure is the one reported.
        }
    }
}
