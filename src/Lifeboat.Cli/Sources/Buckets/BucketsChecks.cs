using Lifeboat.Buckets;
using Lifeboat.Buckets.Source;
using Lifeboat.Cli.Configuration;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>What 'lifeboat doctor' checks of each buckets: entry: the steps of the core's preflight of the bucket it configures.</summary>
internal static class BucketsChecks
{
    /// <summary>The steps of every configured entry, one entry after the other.</summary>
    public static IEnumerable<PreflightStep> Steps(LifeboatSettings settings, BackupRepository? repository) =>
        settings.SourcesOf<BucketSettings>().SelectMany(entry => PreflightOf(entry, repository).Steps);

    private static BucketPreflight PreflightOf(BucketSettings entry, BackupRepository? repository)
    {
        try
        {
            return new BucketPreflight(BucketsSourceKind.ToSource(entry), repository);
        }
        catch (LifeboatException unset)
        {
            // Without its keys the bucket cannot be asked anything; the backups still can.
            var keyless = new BucketSource
            {
                Name = entry.Name,
                Endpoint = new BucketEndpoint(entry.Endpoint, entry.Region, entry.Bucket, entry.Prefix, "", ""),
            };
            return new BucketPreflight(keyless, repository, unusable: unset);
        }
    }
}
