using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Lifeboat.Buckets.Index;
using Lifeboat.Storage;
using Polly;

namespace Lifeboat.Buckets.Source;

/// <summary>
/// The requests a backup makes of a source bucket: its versioning, its listing (paged and streamed, one key range at a
/// time), GET of one version with its headers, and its tags. Every call goes through the storage layer's one retry
/// layer, and every failure surfaces as a <see cref="LifeboatException"/> naming the source.
/// </summary>
public sealed class SourceBucketClient : IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly ResiliencePipeline _retry;

    /// <summary>A client for <paramref name="endpoint"/>; no request is sent until the first call.</summary>
    public SourceBucketClient(BucketEndpoint endpoint, RetrySettings? retry = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        endpoint.Validate();
        Endpoint = endpoint;
        _client = S3ClientFactory.Create(endpoint.Location);
        _retry = S3RetryPolicy.Create(retry ?? RetrySettings.Default);
    }

    /// <summary>The source.</summary>
    public BucketEndpoint Endpoint { get; }

    /// <summary>True when the bucket has versioning (enabled or suspended), so it is listed by version.</summary>
    public async Task<bool> IsVersionedAsync(CancellationToken cancellationToken) =>
        await VersioningAsync(cancellationToken) is BucketVersioning.Enabled or BucketVersioning.Suspended;

    /// <summary>The bucket's versioning state; the request also proves the endpoint, the credentials and the bucket.</summary>
    public async Task<BucketVersioning> VersioningAsync(CancellationToken cancellationToken)
    {
        var request = new GetBucketVersioningRequest { BucketName = Endpoint.Bucket };
        var response = await CallAsync(token => _client.GetBucketVersioningAsync(request, token), "read the versioning of", BucketName, cancellationToken);
        var status = response.VersioningConfig?.Status?.Value;
        if (status == VersionStatus.Enabled.Value)
            return BucketVersioning.Enabled;
        return status == VersionStatus.Suspended.Value ? BucketVersioning.Suspended : BucketVersioning.Off;
    }

    /// <summary>
    /// The rows of <paramref name="range"/> under the prefix, in key order (newest first within a key when
    /// <paramref name="versioned"/>), one page in memory at a time. Keys must ascend; a page out of order fails the run.
    /// </summary>
    public IAsyncEnumerable<ListingEntry> ListAsync(KeyRange range, bool versioned, CancellationToken cancellationToken) =>
        versioned ? ListVersionsAsync(range, cancellationToken) : ListObjectsAsync(range, cancellationToken);

    /// <summary>
    /// GET of one object (the version <paramref name="versionId"/> when given) from <paramref name="offset"/>, only while its ETag
    /// is <paramref name="etagToMatch"/> when given. Null when the object (or version) is gone; a changed ETag throws
    /// <see cref="SourceObjectChangedException"/>.
    /// </summary>
    internal async Task<GetObjectResponse?> GetAsync(string key, string? versionId, long offset, string? etagToMatch, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = Endpoint.Bucket, Key = key, VersionId = versionId, EtagToMatch = etagToMatch };
        if (offset > 0)
            request.ByteRange = new Amazon.S3.Model.ByteRange($"bytes={offset}-");
        try
        {
            return await RunAsync(token => _client.GetObjectAsync(request, token), cancellationToken);
        }
        catch (AmazonS3Exception e) when (IsGone(e))
        {
            return null;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new SourceObjectChangedException(key, offset, e);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw BucketErrors.Translate(e, Endpoint, BucketSide.Source, "read", ObjectName(key, versionId));
        }
    }

    /// <summary>HEAD of the current version of <paramref name="key"/>; null when it is gone.</summary>
    public async Task<ObjectHead?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        var request = new GetObjectMetadataRequest { BucketName = Endpoint.Bucket, Key = key };
        try
        {
            return ObjectHead.Of(await RunAsync(token => _client.GetObjectMetadataAsync(request, token), cancellationToken));
        }
        catch (AmazonS3Exception e) when (IsGone(e))
        {
            return null;
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw BucketErrors.Translate(e, Endpoint, BucketSide.Source, "read", ObjectName(key, null));
        }
    }

    /// <summary>
    /// HEAD of part <paramref name="partNumber"/> of the current version of <paramref name="key"/> while its ETag is
    /// <paramref name="etag"/>: the length the server answered and, where it tells, the object's part count
    /// (x-amz-mp-parts-count). Null when the object is gone, has another ETag now, or the server refuses part numbers.
    /// </summary>
    internal async Task<(long Length, int? Parts)?> HeadPartAsync(string key, int partNumber, string etag, CancellationToken cancellationToken)
    {
        var request = new GetObjectMetadataRequest { BucketName = Endpoint.Bucket, Key = key, PartNumber = partNumber, EtagToMatch = $"\"{etag}\"" };
        try
        {
            var response = await RunAsync(token => _client.GetObjectMetadataAsync(request, token), cancellationToken);
            return (response.ContentLength, response.PartsCount);
        }
        catch (AmazonS3Exception e) when (IsGone(e) || e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.BadRequest or HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return null;
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw BucketErrors.Translate(e, Endpoint, BucketSide.Source, "read", ObjectName(key, null));
        }
    }

    /// <summary>The tags of one object (by version when given), sorted by name; null when the object is gone.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> GetTagsAsync(string key, string? versionId, CancellationToken cancellationToken)
    {
        var request = new GetObjectTaggingRequest { BucketName = Endpoint.Bucket, Key = key, VersionId = versionId };
        try
        {
            var response = await RunAsync(token => _client.GetObjectTaggingAsync(request, token), cancellationToken);
            var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var tag in response.Tagging ?? [])
                tags[tag.Key] = tag.Value ?? "";
            return tags;
        }
        catch (AmazonS3Exception e) when (IsGone(e))
        {
            return null;
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw BucketErrors.Translate(e, Endpoint, BucketSide.Source, "read the tags of", ObjectName(key, versionId));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private string BucketName => $"s3://{Endpoint.Bucket}";

    private string ObjectName(string key, string? versionId) =>
        versionId is null ? $"s3://{Endpoint.Bucket}/{key}" : $"s3://{Endpoint.Bucket}/{key} (version {versionId})";

    private async IAsyncEnumerable<ListingEntry> ListObjectsAsync(KeyRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Endpoint.Bucket, Prefix = NullIfEmpty(Endpoint.Prefix), StartAfter = range.StartAfter };
        var order = new ListingOrder(Describe(range));
        while (true)
        {
            var page = await CallAsync(token => _client.ListObjectsV2Async(request, token), "list", BucketName, cancellationToken);
            string? lastKey = null;
            // SDK v4 gives null, not an empty list, when a page has no objects.
            foreach (var item in page.S3Objects ?? [])
            {
                lastKey = item.Key;
                order.Check(item.Key);
                if (range.IsBefore(item.Key))
                    continue;
                if (range.IsPast(item.Key))
                    yield break;
                yield return new ListingEntry(
                    item.Key, BucketObjectRecord.NullVersion, IsLatest: true, IsDeleteMarker: false,
                    ListingTime.Of(item.LastModified), item.Size ?? 0, ETags.Trim(item.ETag), item.StorageClass?.Value);
            }

            if (page.IsTruncated != true || (page.NextContinuationToken is null && lastKey is null))
                yield break;
            // Some servers truncate without a continuation token; starting after the last key is equivalent.
            request.ContinuationToken = page.NextContinuationToken;
            request.StartAfter = page.NextContinuationToken is null ? lastKey : range.StartAfter;
        }
    }

    private async IAsyncEnumerable<ListingEntry> ListVersionsAsync(KeyRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListVersionsRequest { BucketName = Endpoint.Bucket, Prefix = NullIfEmpty(Endpoint.Prefix), KeyMarker = range.StartAfter };
        var order = new ListingOrder(Describe(range));
        while (true)
        {
            var page = await CallAsync(token => _client.ListVersionsAsync(request, token), "list the versions of", BucketName, cancellationToken);
            foreach (var item in page.Versions ?? [])
            {
                order.Check(item.Key);
                if (range.IsBefore(item.Key))
                    continue;
                if (range.IsPast(item.Key))
                    yield break;
                var marker = item.IsDeleteMarker == true;
                yield return new ListingEntry(
                    item.Key, item.VersionId ?? BucketObjectRecord.NullVersion, item.IsLatest == true, marker,
                    ListingTime.Of(item.LastModified), marker ? 0 : item.Size ?? 0, marker ? null : ETags.Trim(item.ETag), marker ? null : item.StorageClass?.Value);
            }

            if (page.IsTruncated != true || page.NextKeyMarker is null)
                yield break;
            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
    }

    private string Describe(KeyRange range) =>
        range == KeyRange.All ? $"the listing of {Endpoint.Describe()}" : $"the listing of {Endpoint.Describe()} after '{range.StartAfter}'";

    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, string action, string objectName, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(call, cancellationToken);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw BucketErrors.Translate(e, Endpoint, BucketSide.Source, action, objectName);
        }
    }

    private Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(static async (call, token) => await call(token), call, cancellationToken).AsTask();

    // The caller's own cancellation passes through untranslated; everything else becomes a LifeboatException.
    private static bool IsFailure(Exception e, CancellationToken cancellationToken) =>
        !(e is OperationCanceledException && cancellationToken.IsCancellationRequested) && e is not LifeboatException;

    private static bool IsGone(AmazonS3Exception e) =>
        e.ErrorCode is "NoSuchKey" or "NoSuchVersion" || (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket");

    private static string? NullIfEmpty(string prefix) => prefix.Length == 0 ? null : prefix;

    // The merge-join relies on ascending keys; a server that lists out of order must fail the run, not skew it.
    private sealed class ListingOrder(string stream)
    {
        private string? _previous;

        public void Check(string key)
        {
            KeyOrder.Check(_previous, key, stream);
            _previous = key;
        }
    }
}
