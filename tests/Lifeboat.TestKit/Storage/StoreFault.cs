namespace Lifeboat.TestKit.Storage;

/// <summary>A failure injected into a <see cref="FaultyObjectStore"/>: which calls fail, how often, and with what.</summary>
public sealed class StoreFault
{
    /// <summary>A count of failures that never runs out.</summary>
    public const int Always = int.MaxValue;

    private readonly Lock _lock = new();
    private readonly Func<string, bool> _keyMatches;
    private readonly Func<string, Exception> _error;
    private int _remaining;
    private int _hits;

    internal StoreFault(StoreOperation operation, int times, Func<string, bool>? keyMatches, Func<string, Exception>? error)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        Operation = operation;
        _remaining = times;
        _keyMatches = keyMatches ?? (_ => true);
        _error = error ?? (key => new IOException($"injected fault: {operation} '{key}' failed"));
    }

    /// <summary>The operation whose calls fail.</summary>
    public StoreOperation Operation { get; }

    /// <summary>How many calls this fault has failed so far.</summary>
    public int Hits
    {
        get
        {
            lock (_lock)
                return _hits;
        }
    }

    /// <summary>How many more calls it will fail; <see cref="Always"/> when it never runs out.</summary>
    public int Remaining
    {
        get
        {
            lock (_lock)
                return _remaining;
        }
    }

    /// <summary>Fails no more calls from now on.</summary>
    public void Stop()
    {
        lock (_lock)
            _remaining = 0;
    }

    /// <summary>The exception a call of <paramref name="operation"/> on <paramref name="key"/> fails with, or null when this fault spares it.</summary>
    internal Exception? TryFail(StoreOperation operation, string key)
    {
        if (operation != Operation || !_keyMatches(key))
            return null;
        lock (_lock)
        {
            if (_remaining == 0)
                return null;
            if (_remaining != Always)
                _remaining--;
            _hits++;
        }

        return _error(key);
    }
}
