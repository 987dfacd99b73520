using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Polly;

namespace Lifeboat.Storage;

/// <summary>An object store in an S3 bucket under a key prefix (AWS, Ceph radosgw, MinIO, …).</summary>
/// <remarks>
/// Objects up to one part are written with a single PutObject; larger ones with a multipart upload
/// whose completion is the atomic moment. Every call is retried on transient failures by
/// <see cref="S3RetryPolicy"/>, and every failure surfaces as a <see cref="LifeboatException"/>.
/// </remarks>
public sealed partial class S3ObjectStore : IObjectStore
{
    private readonly AmazonS3Client _client;
    private readonly ResiliencePipeline _retry;
    private readonly string _keyPrefix;
    private bool _bucketSeen;

    /// <summary>Opens the store at <paramref name="location"/>; no request is sent until the first operation.</summary>
    public S3ObjectStore(S3Location location)
    {
        ArgumentNullException.ThrowIfNull(location);
        ValidateLocation(location);
        S3 = location;
        _keyPrefix = NormalizePrefix(location.Prefix);
        _client = S3ClientFactory.Create(location);
        _retry = S3RetryPolicy.Create(location.Retry);
        Location = $"s3://{location.Bucket}/{_keyPrefix} at {location.EndpointDescription}";
    }

    /// <summary>The bucket, prefix, endpoint and tuning this store uses.</summary>
    public S3Location S3 { get; }

    /// <inheritdoc />
    public string Location { get; }

    /// <inheritdoc />
    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => EnsureBucketAsync(cancellationToken);

    /// <summary>Creates the bucket unless it exists already (for 'lifeboat init').</summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (await BucketExistsAsync(cancellationToken))
            return;
        var request = new PutBucketRequest { BucketName = S3.Bucket };
        // Only AWS wants a location constraint; S3-compatible servers may reject one they don't know.
        if (S3.Endpoint is null && S3.Region != "us-east-1")
            request.BucketRegionName = S3.Region;
        try
        {
            await RunAsync(token => _client.PutBucketAsync(request, token), cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "BucketAlreadyOwnedByYou")
        {
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "create bucket", $"s3://{S3.Bucket}");
        }

        _bucketSeen = true;
    }

    /// <inheritdoc />
    public Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<ObjectUpload>(new S3ObjectUpload(this, key, S3.PartSize));
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        ByteRangeCheck.ThrowIfInvalid(range, key);
        if (range is { Length: 0 })
            return await OpenEmptyRangeAsync(key, cancellationToken);
        var offset = range?.Offset ?? 0;
        long? end = range is { Length: { } length } ? offset + length : null;
        try
        {
            var response = await GetAsync(key, offset, end, etag: null, cancellationToken);
            return new S3ReadStream(
                response,
                offset,
                (position, resumeEnd, etag, token) => ResumeReadAsync(key, position, resumeEnd, etag, token),
                S3.Retry.MaxRetries,
                e => S3ErrorTranslation.Translate(e, S3, "read", ObjectName(key)));
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
        {
            throw new ObjectNotFoundException(key, Location);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // Only an existing object has a range to miss: the range starts at or past its end.
            return new MemoryStream([], writable: false);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "read", ObjectName(key));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKey.ValidatePrefix(prefix);
        var page = new ListObjectsV2Request { BucketName = S3.Bucket, Prefix = _keyPrefix + prefix };
        while (true)
        {
            var response = await ListPageAsync(page, cancellationToken);
            string? lastKey = null;
            // SDK v4 gives null, not an empty list, when a page has no objects.
            foreach (var item in response.S3Objects ?? [])
            {
                lastKey = item.Key;
                yield return new ObjectInfo(item.Key[_keyPrefix.Length..], item.Size ?? 0, ToOffset(item.LastModified));
            }

            if (response.IsTruncated != true || (response.NextContinuationToken is null && lastKey is null))
                yield break;
            // Some servers truncate without a continuation token; starting after the last key is equivalent.
            page.ContinuationToken = response.NextContinuationToken;
            page.StartAfter = response.NextContinuationToken is null ? lastKey : null;
        }
    }

    /// <inheritdoc />
    public async Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        var request = new GetObjectMetadataRequest { BucketName = S3.Bucket, Key = FullKey(key) };
        try
        {
            var response = await RunAsync(token => _client.GetObjectMetadataAsync(request, token), cancellationToken);
            _bucketSeen = true;
            return new ObjectInfo(key, response.ContentLength, ToOffset(response.LastModified));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // A HEAD answer has no body, so a missing bucket looks like a missing object; ask once.
            return _bucketSeen || await BucketExistsAsync(cancellationToken) ? null : throw S3ErrorTranslation.BucketMissing(S3);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Forbidden)
        {
            // Nor can a bodiless 403 tell bad credentials from a denial: a listing's error code can.
            await BucketExistsAsync(cancellationToken);
            throw S3ErrorTranslation.Translate(e, S3, "stat", ObjectName(key));
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "stat", ObjectName(key));
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        var request = new DeleteObjectRequest { BucketName = S3.Bucket, Key = FullKey(key) };
        try
        {
            await RunAsync(token => _client.DeleteObjectAsync(request, token), cancellationToken);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "delete", ObjectName(key));
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>"s3://bucket/prefix/key", for messages.</summary>
    internal string ObjectName(string key) => $"s3://{S3.Bucket}/{FullKey(key)}";

    // S3 ignores an empty range ("bytes=5-4") and would send the whole object.
    private async Task<Stream> OpenEmptyRangeAsync(string key, CancellationToken cancellationToken) =>
        await StatAsync(key, cancellationToken) is null ? throw new ObjectNotFoundException(key, Location) : new MemoryStream([], writable: false);

    private async Task<GetObjectResponse> ResumeReadAsync(string key, long position, long end, string etag, CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync(key, position, end, etag, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            throw new LifeboatException(
                $"object {ObjectName(key)} was replaced or deleted while it was being read (at byte {position})",
                "something else writes to the repository: run only one lifeboat per repository, then retry", inner: e);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "read", ObjectName(key));
        }
    }

    /// <summary>GetObject from <paramref name="offset"/> to <paramref name="end"/> (exclusive) or the object's end.</summary>
    private Task<GetObjectResponse> GetAsync(string key, long offset, long? end, string? etag, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = S3.Bucket, Key = FullKey(key), EtagToMatch = etag };
        if (offset > 0 || end is not null)
            request.ByteRange = new Amazon.S3.Model.ByteRange(end is { } e ? $"bytes={offset}-{e - 1}" : $"bytes={offset}-");
        return RunAsync(token => _client.GetObjectAsync(request, token), cancellationToken);
    }

    private async Task<ListObjectsV2Response> ListPageAsync(ListObjectsV2Request request, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(token => _client.ListObjectsV2Async(request, token), cancellationToken);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "list", $"s3://{S3.Bucket}/{request.Prefix}");
        }
    }

    private async Task<bool> BucketExistsAsync(CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = S3.Bucket, Prefix = _keyPrefix, MaxKeys = 1 };
        try
        {
            await RunAsync(token => _client.ListObjectsV2Async(request, token), cancellationToken);
            _bucketSeen = true;
            return true;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            return false;
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "look up bucket", $"s3://{S3.Bucket}");
        }
    }

    private Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(static async (call, token) => await call(token), call, cancellationToken).AsTask();

    // The caller's own cancellation passes through untranslated; everything else becomes a LifeboatException.
    private static bool IsFailure(Exception e, CancellationToken cancellationToken) =>
        !(e is OperationCanceledException && cancellationToken.IsCancellationRequested) && e is not LifeboatException;

    private string FullKey(string key) => _keyPrefix + key;

    // The SDK parses S3's UTC timestamps; an unspecified kind must not be mistaken for local time.
    private static DateTimeOffset ToOffset(DateTime? time) => time switch
    {
        null => DateTimeOffset.UnixEpoch,
        { Kind: DateTimeKind.Local } t => new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero),
        { } t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc), TimeSpan.Zero),
    };

    private static string NormalizePrefix(string prefix)
    {
        var trimmed = prefix.Trim('/');
        if (trimmed.Length == 0)
            return "";
        ObjectKey.Validate(trimmed);
        return trimmed + "/";
    }

    private static void ValidateLocation(S3Location location)
    {
        if (string.IsNullOrWhiteSpace(location.Bucket))
            throw new LifeboatException("the S3 repository has no bucket name", "give the repository URL as s3://bucket/prefix", FailureKind.Usage);
        if (location.PartSize is < S3Location.MinPartSize or > S3Location.MaxPartSize)
            throw new LifeboatException(
                $"S3 part size {location.PartSize} bytes for bucket {location.Bucket} is outside {S3Location.MinPartSize}..{S3Location.MaxPartSize}",
                "use at least 5 MiB (S3's minimum part) and at most 512 MiB", FailureKind.Usage);
        if (location.Endpoint is { } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            throw new LifeboatException($"S3 endpoint '{endpoint}' for bucket {location.Bucket} is not a URL", "write it like http://127.0.0.1:9000", FailureKind.Usage);
    }
}
