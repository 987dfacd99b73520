using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Source;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets;

/// <summary>
/// What a snapshot of one configured source bucket needs, looked at without taking one: the endpoint answers, the
/// credentials are accepted and the bucket exists (one request, which also says its versioning), listing is allowed
/// the way a backup lists it, and the newest snapshot's record reads.
/// </summary>
public sealed class BucketPreflight
{
    // A check is interactive: a dead endpoint is reported in seconds, not after a backup's patience.
    private static readonly RetrySettings ProbeRetry = new(2, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));

    private readonly BucketSource _source;
    private readonly BackupRepository? _repository;
    private readonly LifeboatException? _unusable;
    private readonly string _prefix;
    private BucketVersioning? _versioning;

    /// <summary>The preflight of <paramref name="source"/>; <paramref name="unusable"/> says why it cannot be asked anything (a key is not set).</summary>
    public BucketPreflight(BucketSource source, BackupRepository? repository, LifeboatException? unusable = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _repository = repository;
        _unusable = unusable;
        _prefix = $"{BucketSnapshotInfo.SourceType}/{source.Name}";
    }

    /// <summary>The steps, in the order they must run: the listing needs the versioning the first one found.</summary>
    public IReadOnlyList<PreflightStep> Steps =>
    [
        new($"{_prefix} bucket", BucketAsync),
        new($"{_prefix} listing", ListingAsync),
        new($"{_prefix} newest backup", NewestBackupAsync),
    ];

    private async Task<HealthCheck> BucketAsync(CancellationToken cancellationToken)
    {
        var name = $"{_prefix} bucket";
        if (_unusable is not null)
            return HealthCheck.Failed(name, _unusable);
        try
        {
            using var client = new SourceBucketClient(_source.Endpoint, ProbeRetry);
            _versioning = await client.VersioningAsync(cancellationToken);
        }
        catch (LifeboatException e)
        {
            return HealthCheck.Failed(name, e);
        }

        var reached = $"s3://{_source.Endpoint.Bucket} at {_source.Endpoint.Location.EndpointDescription} answers these credentials";
        return _versioning switch
        {
            BucketVersioning.Enabled => HealthCheck.Ok(name, $"{reached}; versioning enabled: every version and delete marker is recorded"),
            BucketVersioning.Suspended => new HealthCheck(
                name, HealthStatus.Warn, $"{reached}; versioning suspended: the versions there are recorded, but an overwrite or delete now replaces the null version")
            {
                Hint = "enable versioning on the bucket again, so an overwritten or deleted object keeps its older version",
            },
            _ => HealthCheck.Ok(name, $"{reached}; versioning off: each snapshot records the objects as listed, overwrites between snapshots are not kept"),
        };
    }

    private async Task<HealthCheck> ListingAsync(CancellationToken cancellationToken)
    {
        var name = $"{_prefix} listing";
        if (_versioning is not { } versioning)
            return HealthCheck.Skip(name, "the bucket did not answer");
        var versioned = versioning != BucketVersioning.Off;
        try
        {
            using var client = new SourceBucketClient(_source.Endpoint, ProbeRetry);
            var listing = versioned ? "listing by version" : "listing";
            var where = _source.Endpoint.Prefix.Length == 0 ? "in the bucket" : $"under '{_source.Endpoint.Prefix}'";
            await foreach (var entry in client.ListAsync(KeyRange.All, versioned, cancellationToken))
                return HealthCheck.Ok(name, $"{listing} allowed; the first key {where} is '{entry.Key}'");
            return HealthCheck.Ok(name, $"{listing} allowed; nothing is stored {where} yet");
        }
        catch (LifeboatException e)
        {
            return HealthCheck.Failed(name, e);
        }
    }

    private async Task<HealthCheck> NewestBackupAsync(CancellationToken cancellationToken)
    {
        var name = $"{_prefix} newest backup";
        if (_repository is null)
            return HealthCheck.Skip(name, "the repository did not open");
        var (check, _) = await NewestBackupCheck.RunAsync(name, _repository, BucketSnapshotInfo.SourceType, _source.Name, cancellationToken, BucketSnapshotInfo.Kind);
        return check;
    }
}
