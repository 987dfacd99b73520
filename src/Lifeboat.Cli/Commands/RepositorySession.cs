using Lifeboat.Cli.Configuration;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>An opened repository, holding a lock for as long as a command works on it.</summary>
internal sealed class RepositorySession : IAsyncDisposable
{
    private readonly CancellationToken _cancellation;
    private RepositoryLock? _lock;

    internal RepositorySession(LifeboatSettings settings, BackupRepository repository, CancellationToken cancellationToken)
    {
        Settings = settings;
        Repository = repository;
        _cancellation = cancellationToken;
    }

    public LifeboatSettings Settings { get; }

    public BackupRepository Repository { get; }

    /// <summary>Loads settings and opens the repository; a command that changes or relies on it then takes a lock with <see cref="LockAsync"/>.</summary>
    public static async Task<RepositorySession> OpenAsync(string? configPath, CancellationToken cancellationToken)
    {
        var settings = SettingsLoader.Load(configPath);
        var repository = await RepositoryAccess.OpenAsync(settings, cancellationToken);
        return new RepositorySession(settings, repository, cancellationToken);
    }

    /// <summary>Takes the lock <paramref name="command"/> needs over <paramref name="scope"/> (shared unless <paramref name="exclusive"/>); held until the session ends.</summary>
    public async Task LockAsync(LockScope scope, string command, bool exclusive = false)
    {
        if (_lock is not null)
            throw new InvalidOperationException("the session already holds a lock");
        _lock = await RepositoryLock.AcquireAsync(Repository.Store, scope, exclusive, command, _cancellation);
    }

    /// <summary>The record of the lock the session holds, or null before <see cref="LockAsync"/>.</summary>
    public LockRecord? HeldLock => _lock?.Record;

    /// <summary>Adopts a lock taken elsewhere (tests).</summary>
    internal void Hold(RepositoryLock heldLock) => _lock = heldLock;

    /// <summary>
    /// Runs the command's work under the lock: cancelled by a signal as before, and also when the lock is lost,
    /// which then fails the command with why instead of "interrupted".
    /// </summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work)
    {
        using var cancellation = _lock is null
            ? CancellationTokenSource.CreateLinkedTokenSource(_cancellation)
            : CancellationTokenSource.CreateLinkedTokenSource(_cancellation, _lock.Lost);
        T result;
        try
        {
            result = await work(cancellation.Token);
        }
        catch (Exception) when (_lock?.LostBecause is { } lost)
        {
            // Whatever the cancelled work failed with (a killed pg_dump, a cut stream), the lost lock is the cause.
            throw lost;
        }

        // Work that finished after the loss (its last write was already under way) still ran without the lock.
        if (_lock?.LostBecause is { } lostLate)
            throw lostLate;
        return result;
    }

    /// <summary>As <see cref="RunAsync{T}"/>, for work without a result.</summary>
    public Task RunAsync(Func<CancellationToken, Task> work) =>
        RunAsync(async token =>
        {
            await work(token);
            return true;
        });

    public async ValueTask DisposeAsync()
    {
        if (_lock is not null)
            await _lock.DisposeAsync();
        await Repository.DisposeAsync();
    }
}
