namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// Commands sent and not yet answered, bounded in number and bytes: sending never waits for an answer until a bound is
/// reached, then for the oldest only, so the connection stays full while memory stays bounded. Counts the writes the
/// server confirmed, so a restore that fails part way can say what it left in the target, and settles each expiry
/// check into its database's tally as it is answered, so nothing outlives the window.
/// </summary>
internal sealed class CommandWindow(RestoreTarget target, int maxCommands, long maxBytes)
{
    private readonly Queue<Sent> _sent = new();
    private readonly SortedDictionary<int, long> _keysWritten = [];
    private long _bytes;

    /// <summary>
    /// What a sent command was, for the message should it fail: a key's RESTORE, or <see cref="Label"/>; for an expiry
    /// check, the tally it settles (<see cref="ExpiryOf"/>).
    /// </summary>
    private readonly record struct Sent(Task Command, long Bytes, int Db, byte[]? Key, string? Label, bool WritesLibrary, DatabaseTally? ExpiryOf = null)
    {
        public string What => Key is null ? Label! : $"RESTORE of key {Rdb.RdbKeyText.Quote(Key)} (database {Db})";
    }

    /// <summary>Keys whose RESTORE the server confirmed, per database.</summary>
    public IReadOnlyDictionary<int, long> KeysWritten => _keysWritten;

    /// <summary>Function libraries whose FUNCTION RESTORE the server confirmed.</summary>
    public int LibrariesWritten { get; private set; }

    /// <summary>Adds the RESTORE of <paramref name="key"/>; waits only while the window is full.</summary>
    public ValueTask AddAsync(Task command, long bytes, int db, byte[] key, CancellationToken cancellationToken) =>
        AddAsync(new Sent(command, bytes, db, key, null, WritesLibrary: false), cancellationToken);

    /// <summary>Adds the FUNCTION RESTORE of a library, named <paramref name="what"/> in messages.</summary>
    public ValueTask AddLibraryAsync(Task command, long bytes, string what, CancellationToken cancellationToken) =>
        AddAsync(new Sent(command, bytes, 0, null, what, WritesLibrary: true), cancellationToken);

    /// <summary>
    /// Adds the EXISTS sent after the RESTORE of a key close to its expiry, named <paramref name="what"/> in messages: a
    /// key the server did not create (its expiry had passed by the server's clock) moves in <paramref name="tally"/> from
    /// restored to expired once the answer is in.
    /// </summary>
    public ValueTask AddExpiryCheckAsync(Task<bool> exists, DatabaseTally tally, string what, CancellationToken cancellationToken) =>
        AddAsync(new Sent(exists, 0, 0, null, what, WritesLibrary: false, ExpiryOf: tally), cancellationToken);

    /// <summary>Waits for every answer; the first failure is thrown once all have come.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (_sent.Count > 0)
            await CompleteOldestAsync(cancellationToken);
    }

    /// <summary>After the restore stopped (cancelled), waits for the commands still in flight and counts those the server confirmed.</summary>
    public Task SettleAsync() => AbandonRestAsync();

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

        Count(oldest);
    }

    private void Count(Sent confirmed)
    {
        if (confirmed.Key is not null)
        {
            _keysWritten[confirmed.Db] = _keysWritten.GetValueOrDefault(confirmed.Db) + 1;
        }
        else if (confirmed.WritesLibrary)
        {
            LibrariesWritten++;
        }
        else if (confirmed is { ExpiryOf: { } tally, Command: Task<bool> { Result: false } })
        {
            tally.Restored--;
            tally.Expired++;
        }
    }

    /// <summary>
    /// Lets the commands still in flight finish, so none fails unobserved after the restore reported its error, and
    /// counts those the server confirmed all the same.
    /// </summary>
    private async Task AbandonRestAsync()
    {
        var rest = _sent.ToArray();
        _sent.Clear();
        _bytes = 0;
        try
        {
            await Task.WhenAll(rest.Select(s => s.Command));
        }
        catch (Exception e) when (Commands.IsRedisFailure(e))
        {
            // The first failure is the one reported.
        }

        foreach (var sent in rest.Where(s => s.Command.IsCompletedSuccessfully))
            Count(sent);
    }
}
