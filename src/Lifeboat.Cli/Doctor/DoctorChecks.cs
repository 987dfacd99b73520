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
            await foreach (var check in RunStepsAsync(kind.Checks(settings, repository.Opened), BoundedStep.Limit, cancellationToken))
                yield return check;
        }
    }

    /// <summary>
    /// Runs <paramref name="steps"/> in order, each within <paramref name="limit"/> and under its own name: one that
    /// hangs or throws is that step's failed check, and the steps after it (and the sources after it) still run.
    /// </summary>
    internal static async IAsyncEnumerable<HealthCheck> RunStepsAsync(IEnumerable<PreflightStep> steps, TimeSpan limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var step in steps)
        {
            var (check, failure) = await BoundedStep.RunAsync(step.Name, step.RunAsync, limit, cancellationToken);
            yield return check ?? failure!;
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
}
