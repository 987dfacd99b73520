using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Lifeboat.Buckets.Source;
using Lifeboat.Storage;
using S3Location = Lifeboat.Storage.S3Location;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>A source bucket of its own for one test, on the devstack's radosgw, written with the AWS SDK as an application would.</summary>
internal sealed class SourceBucket : IAsyncDisposable
{
    private SourceBucket(string name, AmazonS3Client client)
    {
        Name = name;
        Client = client;
    }

    public string Name { get; }

    public AmazonS3Client Client { get; }

    public BucketEndpoint Endpoint => new(TestEnvironment.S3Endpoint, TestEnvironment.S3Region, Name, "", TestEnvironment.S3AccessKey, TestEnvironment.S3SecretKey);

    public static async Task<SourceBucket> CreateAsync(bool versioned = false)
    {
        var name = TestEnvironment.UniqueName("lifeboat-src").Replace('_', '-').ToLowerInvariant();
        var client = S3ClientFactory.Create(new S3Location(name, "", TestEnvironment.S3Endpoint, TestEnvironment.S3Region, TestEnvironment.S3AccessKey, TestEnvironment.S3SecretKey));
        await client.PutBucketAsync(new PutBucketRequest { BucketName = name });
        if (versioned)
        {
            await client.PutBucketVersioningAsync(new PutBucketVersioningRequest
            {
                BucketName = name,
                VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
            });
        }

        return new SourceBucket(name, client);
    }

    /// <summary>Writes <paramref name="content"/> under <paramref name="key"/>; returns the version id (null when unversioned).</summary>
    public async Task<string?> PutAsync(string key, byte[] content, Action<PutObjectRequest>? configure = null)
    {
        var request = new PutObjectRequest { BucketName = Name, Key = key, InputStream = new MemoryStream(content), AutoCloseStream = true };
        configure?.Invoke(request);
        try
        {
            var response = await Client.PutObjectAsync(request);
            return response.VersionId;
        }
        catch (AmazonS3Exception e)
        {
            throw new InvalidOperationException($"the test could not write '{key}': HTTP {(int)e.StatusCode} {e.ErrorCode}", e);
        }
    }

    /// <summary>Suspends the bucket's versioning: writes then replace each key's "null" version.</summary>
    public Task SuspendVersioningAsync() =>
        Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = Name,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Suspended },
        });

    /// <summary>Replaces the tags of <paramref name="key"/>, as PutObjectTagging does: the object's bytes and timestamp stay.</summary>
    public Task TagAsync(string key, IReadOnlyDictionary<string, string> tags) =>
        Client.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = Name,
            Key = key,
            Tagging = new Tagging { TagSet = [.. tags.Select(t => new Tag { Key = t.Key, Value = t.Value })] },
        });

    /// <summary>Writes <paramref name="content"/> with a multipart upload of 5 MiB parts.</summary>
    public async Task PutMultipartAsync(string key, byte[] content)
    {
        var start = await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Name, Key = key });
        var parts = new List<PartETag>();
        const int PartSize = 5 * 1024 * 1024;
        for (var offset = 0; offset < content.Length; offset += PartSize)
        {
            var number = parts.Count + 1;
            var length = Math.Min(PartSize, content.Length - offset);
            var part = await Client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = Name,
                Key = key,
                UploadId = start.UploadId,
                PartNumber = number,
                InputStream = new MemoryStream(content, offset, length),
                PartSize = length,
            });
            parts.Add(new PartETag(number, part.ETag));
        }

        await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Name, Key = key, UploadId = start.UploadId, PartETags = parts });
    }

    public Task DeleteAsync(string key) => Client.DeleteObjectAsync(Name, key);

    public static string ShaOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static byte[] Random(int size)
    {
        var bytes = new byte[size];
        System.Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var request = new ListVersionsRequest { BucketName = Name };
            ListVersionsResponse page;
            do
            {
                page = await Client.ListVersionsAsync(request);
                foreach (var version in page.Versions ?? [])
                    await Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Name, Key = version.Key, VersionId = version.VersionId });
                request.KeyMarker = page.NextKeyMarker;
                request.VersionIdMarker = page.NextVersionIdMarker;
            }
            while (page.IsTruncated == true);
            await Client.DeleteBucketAsync(Name);
        }
        catch (AmazonS3Exception)
        {
            // A bucket left behind costs space only; the test's verdict stands.
        }

        Client.Dispose();
    }
}
