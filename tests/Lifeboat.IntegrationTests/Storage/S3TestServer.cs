using Amazon.S3;
using Amazon.S3.Model;
using Lifeboat.Storage;
using S3Location = Lifeboat.Storage.S3Location;

namespace Lifeboat.IntegrationTests.Storage;

/// <summary>The S3 server the tests run against, named by LIFEBOAT_TEST_S3_* variables (scripts/devstack.sh writes them).</summary>
internal static class S3TestServer
{
    /// <summary>One bucket shared by all conformance tests; each test works under a prefix of its own.</summary>
    public const string SharedBucket = "lifeboat-conformance";

    private static readonly Lazy<Task> SharedBucketCreated = new(() => CreateSharedBucketAsync());

    /// <summary>The server's settings with the given bucket and prefix; fails the test when the variables are missing.</summary>
    public static S3Location Location(string bucket, string prefix)
    {
        return new S3Location(
            bucket,
            prefix,
            TestEnvironment.S3Endpoint,
            TestEnvironment.S3Region,
            TestEnvironment.S3AccessKey,
            TestEnvironment.S3SecretKey)
        {
            PartSize = S3Location.MinPartSize,
        };
    }

    /// <summary>Creates the shared bucket once per test run.</summary>
    public static Task EnsureSharedBucketAsync() => SharedBucketCreated.Value;

    /// <summary>A raw SDK client for checks the store does not expose (multipart uploads, bucket removal).</summary>
    public static AmazonS3Client RawClient() => S3ClientFactory.Create(Location(SharedBucket, ""));

    /// <summary>Deletes every object under <paramref name="prefix"/> in <paramref name="bucket"/>, then the bucket if asked.</summary>
    public static async Task EmptyAsync(string bucket, string prefix, bool removeBucket)
    {
        using var client = RawClient();
        // The raw client has no retry layer, and radosgw answers the request after an early-answered PUT
        // (a test's write to a missing bucket) on the same pooled connection with a bare 400.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await EmptyPrefixAsync(client, bucket, prefix);
                await AbortUploadsAsync(client, bucket, prefix);
                if (removeBucket)
                    await client.DeleteBucketAsync(bucket);
                return;
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
            {
                return;
            }
            catch (Exception e) when (attempt < 3 && S3TransientErrors.IsTransient(e, CancellationToken.None))
            {
                await Task.Delay(100 * attempt);
            }
        }
    }

    private static async Task EmptyPrefixAsync(AmazonS3Client client, string bucket, string prefix)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request);
            var keys = (page.S3Objects ?? []).Select(o => new KeyVersion { Key = o.Key }).ToList();
            if (keys.Count > 0)
                await client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = keys });
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
    }

    // A test that failed mid-upload may leave a multipart upload behind; its parts would cost space forever.
    private static async Task AbortUploadsAsync(AmazonS3Client client, string bucket, string prefix)
    {
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Prefix = prefix });
        foreach (var upload in uploads.MultipartUploads ?? [])
            await client.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId);
    }

    private static async Task CreateSharedBucketAsync()
    {
        await using var store = new S3ObjectStore(Location(SharedBucket, ""));
        await store.EnsureBucketAsync(CancellationToken.None);
    }
}
