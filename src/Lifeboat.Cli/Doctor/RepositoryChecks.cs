using System.Runtime.CompilerServices;
using Lifeboat.Cli.Configuration;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Cli.Doctor;

/// <summary>
/// The repository's checks: it is reachable and of a layout this build reads, the configured key opens it, and no
/// killed run left a stale lock or an abandoned upload in it. Keeps the opened repository for the sources' checks.
/// </summary>
internal sealed class RepositoryChecks(LifeboatSettings settings) : IAsyncDisposable
{
    /// <summary>What the check that the repository is there and readable is called.</summary>
    public const string RepositoryCheck = "repository";

    /// <summary>What the check that the key opens it is called.</summary>
    public const string KeyCheck = "key";

    private IObjectStore? _store;

    /// <summary>The repository the configured key opened, once <see cref="RunAsync"/> got that far; else null.</summary>
    public BackupRepository? Opened { get; private set; }

    /// <summary>Runs the checks in order; one that fails skips those that need what it found broken.</summary>
    public async IAsyncEnumerable<HealthCheck> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (config, reachFailure) = await BoundedStep.RunAsync(RepositoryCheck, ReadConfigAsync, cancellationToken);
        if (config is null)
        {
            yield return reachFailure!;
            yield return HealthCheck.Skip(KeyCheck, "the repository could not be read");
            yield return HealthCheck.Skip(RepositoryLeftovers.LocksCheck, "the repository could not be read");
            yield return HealthCheck.Skip(RepositoryLeftovers.UploadsCheck, "the repository could not be read");
            yield break;
        }

        yield return HealthCheck.Ok(RepositoryCheck, $"{_store!.Location}: layout {config.Version}, repository {config.Id}, created {config.CreatedAt:yyyy-MM-dd}");
        var (opened, keyFailure) = await BoundedStep.RunAsync(KeyCheck, token => RepositoryAccess.OpenAsync(settings, token), cancellationToken);
        Opened = opened;
        yield return opened is null ? keyFailure! : HealthCheck.Ok(KeyCheck, $"{KeyDescription()} opens key slot {opened.OpenedSlotId}");
        yield return await CheckAsync(RepositoryLeftovers.LocksCheck, token => RepositoryLeftovers.CheckLocksAsync(_store, token), cancellationToken);
        yield return await CheckAsync(RepositoryLeftovers.UploadsCheck, token => RepositoryLeftovers.CheckUploadsAsync(_store, token), cancellationToken);
    }

    private async Task<RepositoryConfig> ReadConfigAsync(CancellationToken cancellationToken)
    {
        _store = RepositoryAccess.OpenStore(settings.Repository);
        return await BackupRepository.ReadOpenableConfigAsync(_store, cancellationToken);
    }

    private static async Task<HealthCheck> CheckAsync(string name, Func<CancellationToken, Task<HealthCheck>> check, CancellationToken cancellationToken)
    {
        var (done, failure) = await BoundedStep.RunAsync(name, check, cancellationToken);
        return done ?? failure!;
    }

    // Which key was tried, never the secret: the key file's path, or that the passphrase came from the environment.
    private string KeyDescription() => settings.Repository.Encryption.KeyFile is { } keyFile
        ? $"key file {keyFile}"
        : $"the passphrase named by {settings.Repository.Encryption.Passphrase!.Key}";

    public async ValueTask DisposeAsync()
    {
        if (Opened is not null)
            await Opened.DisposeAsync();
        if (_store is not null)
            await _store.DisposeAsync();
    }
}
