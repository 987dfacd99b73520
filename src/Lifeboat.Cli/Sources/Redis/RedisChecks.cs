using Lifeboat.Cli.Configuration;
using Lifeboat.Redis;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>What 'lifeboat doctor' checks of each redis: entry: the steps of the core's preflight of the server it configures.</summary>
internal static class RedisChecks
{
    /// <summary>The steps of every configured entry, one entry after the other.</summary>
    public static IEnumerable<PreflightStep> Steps(LifeboatSettings settings, BackupRepository? repository) =>
        settings.SourcesOf<RedisSettings>().SelectMany(entry => PreflightOf(entry, repository).Steps);

    private static RedisPreflight PreflightOf(RedisSettings entry, BackupRepository? repository)
    {
        try
        {
            return new RedisPreflight(RedisSourceKind.ToSource(entry), repository);
        }
        catch (LifeboatException unset)
        {
            // Without its password the server cannot be asked anything; the backups still can.
            return new RedisPreflight(RedisSourceKind.ToSource(entry with { Password = null }), repository, unusable: unset);
        }
    }
}
