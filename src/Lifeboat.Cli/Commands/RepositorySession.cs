using Lifeboat.Cli.Configuration;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>An opened repository, holding a lock for as long as a command works on it.</summary>
internal sealed class RepositorySession : IAsyncDisposable
{
    private readonly RepositoryLock? _lock;

    private RepositorySession(LifeboatSettings settings, BackupRepository repository, RepositoryLock? heldLock)
    {
        Settings = settings;
        Repository = repository;
        _lock = heldLock;
    }

    public LifeboatSettings Settings { get; }

    public BackupRepository Repository { get; }

    /// <summary>Loads settings, opens the repository and, unless <paramref name="lockCommand"/> is null, takes a shared lock.</summary>
    public static async Task<RepositorySession> OpenAsync(string? configPath, string? lockCommand, CancellationToken cancellationToken)
    {
        var settings = SettingsLoader.Load(configPath);
        var repository = await RepositoryAccess.OpenAsync(settings, cancellationToken);
        try
        {
            var heldLock = lockCommand is null ? null : await RepositoryLock.AcquireAsync(repository.Store, exclusive: false, lockCommand, cancellationToken);
            return new RepositorySession(settings, repository, heldLock);
        }
        catch
        {
            await repository.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_lock is not null)
            await _lock.DisposeAsync();
        await Repository.DisposeAsync();
    }
}
