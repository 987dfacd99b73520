using Amazon.S3.Model;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Source;

/// <summary>
/// One GET of a source object: its body, and what its headers say (identity, content headers, user metadata, tag
/// count). A dropped connection resumes where it stopped with If-Match on the first response's ETag, so the bytes never
/// splice two uploads: an object replaced meanwhile throws <see cref="SourceObjectChangedException"/>, and the caller
/// starts the object over.
/// </summary>
public sealed class SourceObjectRead : IAsyncDisposable
{
    private readonly SourceBucketClient _client;
    private readonly string _key;
    private readonly string? _versionId;
    private readonly string _etag;

    private SourceObjectRead(SourceBucketClient client, string key, string? versionId, GetObjectResponse response, Stream body)
    {
        _client = client;
        _key = key;
        _versionId = versionId;
        _etag = response.ETag;
        Identity = new ObjectIdentity(response.ContentLength, ETags.Trim(response.ETag), ListingTime.Of(response.LastModified));
        Attributes = ResponseAttributes.Of(response);
        TagCount = response.TagCount;
        Body = body;
    }

    /// <summary>Size, ETag and Last-Modified (whole seconds) as the GET answered them.</summary>
    public ObjectIdentity Identity { get; }

    /// <summary>Content headers, user metadata and storage class; tags are read separately.</summary>
    public ObjectAttributes Attributes { get; }

    /// <summary>x-amz-tagging-count, or null when the server did not send it (some never do, so its absence proves nothing).</summary>
    public int? TagCount { get; }

    /// <summary>The object's bytes.</summary>
    public Stream Body { get; }

    /// <summary>GETs <paramref name="key"/> (the version <paramref name="versionId"/> when given); null when it is gone.</summary>
    public static async Task<SourceObjectRead?> OpenAsync(SourceBucketClient client, string key, string? versionId, CancellationToken cancellationToken)
    {
        var response = await client.GetAsync(key, versionId, 0, etagToMatch: null, cancellationToken);
        return response is null ? null : new SourceObjectRead(client, key, versionId, response, BodyOf(client, key, versionId, response));
    }

    /// <summary>
    /// The same object's bytes from the start once more, for a write that must be sent again: If-Match on this read's
    /// ETag, so an object replaced or deleted since throws <see cref="SourceObjectChangedException"/> instead of
    /// giving other bytes.
    /// </summary>
    public async Task<Stream> ReopenAsync(CancellationToken cancellationToken)
    {
        var response = await _client.GetAsync(_key, _versionId, 0, _etag, cancellationToken) ?? throw new SourceObjectChangedException(_key, 0);
        return BodyOf(_client, _key, _versionId, response);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Body.DisposeAsync();

    private static S3ReadStream BodyOf(SourceBucketClient client, string key, string? versionId, GetObjectResponse response) => new(
        response,
        0,
        (position, _, etag, token) => ResumeAsync(client, key, versionId, position, etag, token),
        RetrySettings.Default.MaxRetries,
        e => BucketErrors.Translate(e, client.Endpoint, BucketSide.Source, "read", $"s3://{client.Endpoint.Bucket}/{key}"));

    private static async Task<GetObjectResponse> ResumeAsync(SourceBucketClient client, string key, string? versionId, long position, string etag, CancellationToken cancellationToken) =>
        await client.GetAsync(key, versionId, position, etag, cancellationToken)
        ?? throw new SourceObjectChangedException(key, position);
}
