using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Lifeboat.Storage;

/// <summary>Builds the SDK client with the settings S3-compatible servers such as Ceph radosgw and MinIO need.</summary>
internal static class S3ClientFactory
{
    /// <summary>How long to wait for a TCP connection before the attempt counts as failed (and is retried).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Time for one whole request, long enough to send a large part over a slow link.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(10);

    /// <summary>A client for <paramref name="location"/>; <paramref name="requestTimeout"/> replaces <see cref="RequestTimeout"/> for requests that send much in one.</summary>
    public static AmazonS3Client Create(S3Location location, TimeSpan? requestTimeout = null)
    {
        var config = new AmazonS3Config
        {
            // SDK v4's default flexible checksums are rejected by radosgw 16 (XAmzContentSHA256Mismatch).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // S3RetryPolicy is the one retry layer; two layers would multiply attempts and delays.
            MaxErrorRetry = 0,
            ConnectTimeout = ConnectTimeout,
            Timeout = requestTimeout ?? RequestTimeout,
            // The repository URL alone decides where bytes go, not AWS_ENDPOINT_URL* in the environment.
            IgnoreConfiguredEndpointUrls = true,
        };
        if (location.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint;
            // Virtual-host addressing needs DNS for bucket.host, which S3-compatible servers rarely have.
            config.ForcePathStyle = true;
            config.AuthenticationRegion = location.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(location.Region);
        }

        return new AmazonS3Client(new BasicAWSCredentials(location.AccessKey, location.SecretKey), config);
    }
}
