using System.Runtime.CompilerServices;
using Lifeboat.Cli.Configuration;
using Lifeboat.Postgres;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>What 'lifeboat doctor' checks of each postgres: entry: the core's preflight of the source it configures.</summary>
internal static class PostgresChecks
{
    /// <summary>The checks of every configured entry, one entry after the other.</summary>
    public static async IAsyncEnumerable<HealthCheck> RunAsync(LifeboatSettings settings, BackupRepository? repository, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var entry in settings.SourcesOf<PostgresSettings>())
        {
            var (source, unusable) = Resolve(entry);
            if (unusable is not null)
            {
                // Without its password the source cannot be reached; the tools alone would say little.
                yield return HealthCheck.Failed($"{PostgresDumpBackup.SourceType}/{entry.Name} connection", unusable);
                continue;
            }

            var newest = repository is null ? null : await NewestArchiveBytesAsync(repository, entry.Name, cancellationToken);
            foreach (var check in await PostgresPreflight.RunAsync(source!, newest, cancellationToken))
                yield return check;
        }
    }

    private static (PostgresSource? Source, LifeboatException? Error) Resolve(PostgresSettings entry)
    {
        try
        {
            return (PostgresSourceKind.ToSource(entry), null);
        }
        catch (LifeboatException e)
        {
            return (null, e);
        }
    }

    // The newest dump is the one a restore at 3 a.m. would spool; none yet (or none readable) leaves the size unknown.
    private static async Task<long?> NewestArchiveBytesAsync(BackupRepository repository, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await repository.FindBackupAsync(PostgresDumpBackup.SourceType, name, "latest", cancellationToken)).SizeBytes;
        }
        catch (LifeboatException)
        {
            return null;
        }
    }
}
