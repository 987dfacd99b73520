using Lifeboat.Redis.ServerRestore;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>What restore redis --to-server was told: the server, and which keys it takes (before the configuration's default databases).</summary>
/// <param name="Address">The server and how to log in.</param>
/// <param name="Databases">The databases --db chose; empty when it was not given.</param>
/// <param name="Match">The --match glob, or null.</param>
/// <param name="Replace">--replace.</param>
/// <param name="IgnoreMemoryEstimate">--ignore-memory-estimate.</param>
internal sealed record RedisServerTarget(RestoreTargetAddress Address, IReadOnlyList<int> Databases, string? Match, bool Replace, bool IgnoreMemoryEstimate)
{
    /// <summary>
    /// The restore's options; <paramref name="configured"/> (redis[].databases) stands in for --db when it was not given.
    /// Only a filter given on the command line leaves the function libraries out: the configured databases are a standing
    /// choice of keys, not a partial restore asked for now.
    /// </summary>
    public ServerRestoreOptions Options(IReadOnlyList<int> configured, bool force)
    {
        var databases = Databases.Count > 0 ? Databases : configured;
        return new ServerRestoreOptions
        {
            Databases = databases.Count > 0 ? databases.ToHashSet() : null,
            KeyPattern = Match,
            SkipFunctionLibraries = Databases.Count > 0 || Match is not null,
            Replace = Replace,
            IgnoreMemoryEstimate = IgnoreMemoryEstimate,
            AllowNonEmptyTarget = force,
        };
    }
}
