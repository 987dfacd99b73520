using System.Runtime.CompilerServices;
using Lifeboat.Storage;

namespace Lifeboat.TestKit.Storage;

/// <summary>A real store that counts every call per operation and fails the calls a test chooses, as a flaky medium would.</summary>
/// <remarks>
/// A fault fails the call the way the real store fails: the task it returns faults, and a listing throws when it is
/// first read. Counts include failed calls: a request that failed was still sent.
/// </remarks>
public sealed class FaultyObjectStore(IObjectStore inner) : InterceptedStore(inner)
{
    private readonly int[] _calls = new int[Enum.GetValues<StoreOperation>().Length];
    private readonly List<StoreFault> _faults = [];
    private readonly Lock _faultsLock = new();
    private long _objectsListed;

    /// <summary>The calls so far (since the last <see cref="ResetCalls"/>), per operation.</summary>
    public StoreCallCounts Calls => new(
        Count(StoreOperation.List),
        Count(StoreOperation.OpenRead),
        Count(StoreOperation.Stat),
        Count(StoreOperation.Create),
        Count(StoreOperation.Delete),
        Count(StoreOperation.EnsureCreated),
        Count(StoreOperation.RemoveAbandonedUploads),
        Interlocked.Read(ref _objectsListed));

    /// <summary>Starts counting from zero, e.g. after a test's setup wrote what it needs.</summary>
    public void ResetCalls()
    {
        for (var i = 0; i < _calls.Length; i++)
            Interlocked.Exchange(ref _calls[i], 0);
        Interlocked.Exchange(ref _objectsListed, 0);
    }

    /// <summary>
    /// Makes calls of <paramref name="operation"/> fail: the first <paramref name="times"/> calls on keys that
    /// <paramref name="keyMatches"/> accepts (all keys when null), with the exception <paramref name="error"/> makes for
    /// the key (an <see cref="IOException"/> when null). Faults added earlier are tried first.
    /// </summary>
    public StoreFault Fail(StoreOperation operation, int times = StoreFault.Always, Func<string, bool>? keyMatches = null, Func<string, Exception>? error = null)
    {
        var fault = new StoreFault(operation, times, keyMatches, error);
        lock (_faultsLock)
            _faults.Add(fault);
        return fault;
    }

    /// <summary>Makes the next call of <paramref name="operation"/> on a matching key fail, and only that one.</summary>
    public StoreFault FailOnce(StoreOperation operation, Func<string, bool>? keyMatches = null, Func<string, Exception>? error = null) =>
        Fail(operation, 1, keyMatches, error);

    /// <summary>Removes every fault: from now on every call goes through.</summary>
    public void ClearFaults()
    {
        lock (_faultsLock)
            _faults.Clear();
    }

    /// <inheritdoc />
    public override Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        Call(StoreOperation.EnsureCreated, "") is { } error ? Task.FromException(error) : base.EnsureCreatedAsync(cancellationToken);

    /// <inheritdoc />
    public override Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken) =>
        Call(StoreOperation.Create, key) is { } error ? Task.FromException<ObjectUpload>(error) : base.CreateAsync(key, cancellationToken);

    /// <inheritdoc />
    public override Task<bool> TryCreateNewAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        Call(StoreOperation.Create, key) is { } error ? Task.FromException<bool>(error) : base.TryCreateNewAsync(key, content, cancellationToken);

    /// <inheritdoc />
    public override Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken) =>
        Call(StoreOperation.OpenRead, key) is { } error ? Task.FromException<Stream>(error) : base.OpenReadAsync(key, range, cancellationToken);

    /// <inheritdoc />
    public override Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken) =>
        Call(StoreOperation.Stat, key) is { } error ? Task.FromException<ObjectInfo?>(error) : base.StatAsync(key, cancellationToken);

    /// <inheritdoc />
    public override Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        Call(StoreOperation.Delete, key) is { } error ? Task.FromException(error) : base.DeleteAsync(key, cancellationToken);

    /// <inheritdoc />
    public override Task<int> RemoveAbandonedUploadsAsync(TimeSpan idleFor, CancellationToken cancellationToken) =>
        Call(StoreOperation.RemoveAbandonedUploads, "") is { } error
            ? Task.FromException<int>(error)
            : base.RemoveAbandonedUploadsAsync(idleFor, cancellationToken);

    /// <inheritdoc />
    public override IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var error = Call(StoreOperation.List, prefix);
        return CountedListingAsync(error is null ? base.ListAsync(prefix, cancellationToken) : null, error, cancellationToken);
    }

    private async IAsyncEnumerable<ObjectInfo> CountedListingAsync(
        IAsyncEnumerable<ObjectInfo>? listing, Exception? error, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (listing is null)
            throw error!;
        await foreach (var info in listing.WithCancellation(cancellationToken))
        {
            Interlocked.Increment(ref _objectsListed);
            yield return info;
        }
    }

    private int Count(StoreOperation operation) => Volatile.Read(ref _calls[(int)operation]);

    /// <summary>Counts a call and returns the exception it fails with, or null when it goes through.</summary>
    private Exception? Call(StoreOperation operation, string key)
    {
        Interlocked.Increment(ref _calls[(int)operation]);
        lock (_faultsLock)
        {
            foreach (var fault in _faults)
            {
                if (fault.TryFail(operation, key) is { } error)
                    return error;
            }
        }

        return null;
    }
}
