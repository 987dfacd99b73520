using Amazon.S3;
using Amazon.S3.Model;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>Everything a restore must bring back of one object, as a GET and GetObjectTagging show it.</summary>
internal sealed record ObjectState(
    string Sha256, long Size, string ETag, string? ContentType, string? CacheControl, string? ContentDisposition, string? ContentEncoding, string? ContentLanguage,
    string? Expires, string? WebsiteRedirectLocation, string StorageClass, string Metadata, string Tags);

/// <summary>A bucket's current objects read whole with the AWS SDK, as an application sees them, to compare two buckets byte for byte.</summary>
internal static class BucketState
{
    /// <summary>Every current object of <paramref name="bucket"/>: key → what it is.</summary>
    public static async Task<SortedDictionary<string, ObjectState>> ReadAsync(AmazonS3Client client, string bucket)
    {
        var state = new SortedDictionary<string, ObjectState>(StringComparer.Ordinal);
        var request = new ListObjectsV2Request { BucketName = bucket };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request);
            foreach (var item in page.S3Objects ?? [])
                state[item.Key] = await ReadOneAsync(client, bucket, item.Key);
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        return state;
    }

    /// <summary>Asserts that <paramref name="actual"/> holds exactly the keys of <paramref name="expected"/>, each with the same bytes, ETag, headers, metadata and tags.</summary>
    public static void AssertSame(IReadOnlyDictionary<string, ObjectState> expected, IReadOnlyDictionary<string, ObjectState> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, want) in expected)
            Assert.True(want == actual[key], $"'{key}': expected {want}, restored {actual[key]}");
    }

    private static async Task<ObjectState> ReadOneAsync(AmazonS3Client client, string bucket, string key)
    {
        using var response = await client.GetObjectAsync(bucket, key);
        var bytes = new MemoryStream();
        await response.ResponseStream.CopyToAsync(bytes);
        var tagging = await client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key });
        var metadata = response.Metadata.Keys.Select(k => $"{k.ToLowerInvariant()}={response.Metadata[k]}").Order(StringComparer.Ordinal);
        var tags = (tagging.Tagging ?? []).Select(t => $"{t.Key}={t.Value}").Order(StringComparer.Ordinal);
        var headers = response.Headers;
        return new ObjectState(
            SourceBucket.ShaOf(bytes.ToArray()), bytes.Length, response.ETag.Trim('"'), headers.ContentType, headers.CacheControl, headers.ContentDisposition, headers.ContentEncoding,
            response.ContentLanguage ?? headers.ContentLanguage, NullIfEmpty(response.ExpiresString), NullIfEmpty(response.WebsiteRedirectLocation),
            // No class and STANDARD are the same; servers differ in which they answer.
            NullIfEmpty(response.StorageClass?.Value) ?? "STANDARD", string.Join(";", metadata), string.Join(";", tags));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
