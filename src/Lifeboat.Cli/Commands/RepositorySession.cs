using Lifeboat.Cli.Configuration;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>An opened repository, holding a lock for as long as a command works on it.</summary>
internal sealed class RepositorySession : IAsyncDisposable
{
    private readonly RepositoryLock? _lock;
    private readonly CancellationTokenSource _work;

    internal RepositorySession(LifeboatSettings settings, BackupRepository repository, RepositoryLock? heldLock, CancellationToken cancellationToken)
    {
        Settings = settings;
        Repository = repository;
        _lock = heldLock;
        _work = heldLock is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, heldLock.Lost);
    }

    public LifeboatSettings Settings { get; }

    public BackupRepository Repository { get; }

    /// <summary>Loads settings, opens the repository and, unless <paramref name="lockCommand"/> is null, takes a lock (shared unless <paramref name="exclusive"/>).</summary>
    public static async Task<RepositorySession> OpenAsync(string? configPath, string? lockCommand, CancellationToken cancellationToken, bool exclusive = false)
    {
        var settings = SettingsLoader.Load(configPath);
        var repository = await RepositoryAccess.OpenAsync(settings, cancellationToken);
        try
        {
            var heldLock = lockCommand is null ? null : await RepositoryLock.AcquireAsync(repository.Store, exclusive, lockCommand, cancellationToken);
            return new RepositorySession(settings, repository, heldLock, cancellationToken);
        }
        catch
        {
            await repository.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs the command's work under the lock: cancelled by a signal as before, and also when the lock is lost,
    /// which then fails the command with why instead of "interrupted".
    /// </summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work)
    {
        T result;
        try
        {
            result = await work(_work.Token);
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
        _work.Dispose();
        if (_lock is not null)
            await _lock.DisposeAsync();
        await Repository.DisposeAsync();
    }
}
