using Lifeboat.Cli.Configuration;
using Lifeboat.Postgres;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>What 'lifeboat doctor' checks of each postgres: entry: the steps of the core's preflight of the source it configures.</summary>
internal static class PostgresChecks
{
    /// <summary>The steps of every configured entry, one entry after the other.</summary>
    public static IEnumerable<PreflightStep> Steps(LifeboatSettings settings, BackupRepository? repository) =>
        settings.SourcesOf<PostgresSettings>().SelectMany(entry => PreflightOf(entry, repository).Steps);

    private static PostgresPreflight PreflightOf(PostgresSettings entry, BackupRepository? repository)
    {
        try
        {
            return new PostgresPreflight(PostgresSourceKind.ToSource(entry), repository);
        }
        catch (LifeboatException unset)
        {
            // Without its password the server cannot be asked anything; the tools, the backups and the spool still can.
            return new PostgresPreflight(PostgresSourceKind.ToSource(entry with { Password = null }), repository, unusable: unset);
        }
    }
}
