using System.Runtime.CompilerServices;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Sources;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Doctor;

/// <summary>
/// Every check 'lifeboat doctor' makes, in order, each as soon as it is done: the configuration, the repository and its
/// key, what killed runs left in it, then each source kind's own checks. Nothing is written; a failed check skips the
/// checks that need what it found broken, and says so.
/// </summary>
internal static class DoctorChecks
{
    private const string ConfigurationCheck = "configuration";

    /// <summary>Runs the checks with the configuration <paramref name="configPath"/> names (or the default one).</summary>
    public static async IAsyncEnumerable<HealthCheck> RunAsync(string? configPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (settings, configurationCheck) = LoadSettings(configPath);
        yield return configurationCheck;
        if (settings is null)
        {
            foreach (var name in (string[])[RepositoryChecks.RepositoryCheck, RepositoryChecks.KeyCheck, RepositoryLeftovers.LocksCheck, RepositoryLeftovers.UploadsCheck, "sources"])
                yield return HealthCheck.Skip(name, "the configuration did not load");
            yield break;
        }

        await using var repository = new RepositoryChecks(settings);
        await foreach (var check in repository.RunAsync(cancellationToken))
            yield return check;
        foreach (var kind in SourceKinds.All)
        {
            await foreach (var check in SourceChecksAsync(kind, settings, repository.Opened, cancellationToken))
                yield return check;
        }
    }

    private static (LifeboatSettings? Settings, HealthCheck Check) LoadSettings(string? configPath)
    {
        LifeboatSettings settings;
        try
        {
            settings = SettingsLoader.Load(configPath);
        }
        catch (LifeboatException e)
        {
            return (null, HealthCheck.Failed(ConfigurationCheck, e));
        }

        if (settings.Sources.Count == 0)
        {
            return (settings, new HealthCheck(ConfigurationCheck, HealthStatus.Warn, $"{settings.Origin} loads, but configures no source: there is nothing to back up")
            {
                Hint = $"add an entry to {string.Join(" or ", SourceKinds.All.Select(k => k.Config.Section.Name + ":"))} (docs/CONFIGURATION.md)",
            });
        }

        return (settings, HealthCheck.Ok(ConfigurationCheck, $"{settings.Origin} loads; sources: {string.Join(", ", settings.Sources.Select(s => s.Name))}"));
    }

    // Each check of a kind must come within the step limit; one that hangs ends that kind's checks, not the run.
    private static async IAsyncEnumerable<HealthCheck> SourceChecksAsync(
        SourceKind kind, LifeboatSettings settings, BackupRepository? repository, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var checks = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var enumerator = kind.Checks(settings, repository, checks.Token).GetAsyncEnumerator(checks.Token);
        try
        {
            while (true)
            {
                var (more, failure) = await BoundedStep.RunAsync(kind.Name, _ => enumerator.MoveNextAsync().AsTask(), cancellationToken);
                if (failure is not null)
                {
                    yield return failure;
                    yield break;
                }

                if (!more)
                    yield break;
                yield return enumerator.Current;
            }
        }
        finally
        {
            await checks.CancelAsync();
            await DisposeQuietlyAsync(enumerator);
        }
    }

    private static async Task DisposeQuietlyAsync(IAsyncEnumerator<HealthCheck> enumerator)
    {
        try
        {
            await enumerator.DisposeAsync().AsTask().WaitAsync(BoundedStep.Limit);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or LifeboatException or NotSupportedException)
        {
            // A hung or failed check was reported already; its cleanup has nothing to add.
        }
    }
}
