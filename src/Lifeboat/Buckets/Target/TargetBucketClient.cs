using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Source;
using Lifeboat.Storage;
using Polly;

namespace Lifeboat.Buckets.Target;

/// <summary>
/// The requests a restore makes of the bucket it writes into: its versioning and listing, HEAD and tags of one
/// object, PutObject and multipart uploads carrying the recorded attributes, a copy onto itself that rewrites only
/// metadata, and batch deletes. Every call goes through the storage layer's one retry layer; a failure surfaces as a
/// <see cref="LifeboatException"/> naming the target, or, when the target refuses just that object (HTTP 400), as a
/// <see cref="TargetObjectRejectedException"/>.
/// </summary>
public sealed class TargetBucketClient : IDisposable
{
    /// <summary>Keys per DeleteObjects request: S3's limit.</summary>
    public const int DeleteBatchSize = 1000;

    // Sending one PUT of up to 5 GiB is given this many bytes a second at least, besides the usual request time.
    private const long SlowestSendRate = 1 << 20;

    private readonly AmazonS3Client _client;

    // One streamed PUT of up to 5 GiB outlasts the client's request timeout on a slow link: such PUTs go through a
    // client whose timeout fits the largest, and each attempt gets a deadline for its own size.
    private readonly Lazy<AmazonS3Client> _streamingClient;
    private readonly ResiliencePipeline _retry;
    private readonly Action<string> _warn;

    // Storage classes this run learned about: false for one the target refused (later objects are written without it
    // at once, with one warning), true for one it took.
    private readonly ConcurrentDictionary<string, bool> _classes = new(StringComparer.Ordinal);

    /// <summary>A client for <paramref name="endpoint"/>, warning through <paramref name="warn"/>; no request is sent until the first call.</summary>
    public TargetBucketClient(BucketEndpoint endpoint, Action<string> warn, RetrySettings? retry = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        endpoint.Validate();
        Endpoint = endpoint;
        _warn = warn;
        _client = S3ClientFactory.Create(endpoint.Location);
        _streamingClient = new(() => S3ClientFactory.Create(endpoint.Location, SendTime(PartSizeChoice.MaxSinglePut)));
        _retry = S3RetryPolicy.Create(retry ?? RetrySettings.Default);
    }

    /// <summary>The target.</summary>
    public BucketEndpoint Endpoint { get; }

    /// <summary>
    /// True when the bucket's versioning is enabled, so an object overwritten or deleted survives as a non-current
    /// version. Suspended versioning does not count: a write then replaces the key's "null" version for good.
    /// </summary>
    public async Task<bool> KeepsReplacedVersionsAsync(CancellationToken cancellationToken)
    {
        var request = new GetBucketVersioningRequest { BucketName = Endpoint.Bucket };
        var response = await CallAsync(token => _client.GetBucketVersioningAsync(request, token), "read the versioning of", BucketName, cancellationToken);
        return response.VersioningConfig?.Status?.Value == VersionStatus.Enabled.Value;
    }

    /// <summary>The first current object under <paramref name="prefix"/> in key order, or null when there is none.</summary>
    public async Task<ListingEntry?> FirstAsync(string prefix, CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Endpoint.Bucket, Prefix = NullIfEmpty(prefix), MaxKeys = 1 };
        var page = await CallAsync(token => _client.ListObjectsV2Async(request, token), "list", BucketName, cancellationToken);
        return page.S3Objects is [var first, ..] ? Entry(first) : null;
    }

    /// <summary>The current objects under <paramref name="prefix"/>, in key order, one page in memory at a time.</summary>
    public async IAsyncEnumerable<ListingEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Endpoint.Bucket, Prefix = NullIfEmpty(prefix) };
        string? previous = null;
        while (true)
        {
            var page = await CallAsync(token => _client.ListObjectsV2Async(request, token), "list", BucketName, cancellationToken);
            // SDK v4 gives null, not an empty list, when a page has no objects.
            foreach (var item in page.S3Objects ?? [])
            {
                // The restore's merge-join relies on ascending keys; a listing out of order must stop it, not skew it.
                KeyOrder.Check(previous, item.Key, $"the listing of {Endpoint.Describe()}");
                previous = item.Key;
                yield return Entry(item);
            }

            if (page.IsTruncated != true || (page.NextContinuationToken is null && previous is null))
                yield break;
            // Some servers truncate without a continuation token; starting after the last key is equivalent.
            request.ContinuationToken = page.NextContinuationToken;
            request.StartAfter = page.NextContinuationToken is null ? previous : null;
        }
    }

    /// <summary>HEAD of the current version of <paramref name="key"/>; null when there is none.</summary>
    public async Task<ObjectHead?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        var request = new GetObjectMetadataRequest { BucketName = Endpoint.Bucket, Key = key };
        try
        {
            var response = await RunAsync(token => _client.GetObjectMetadataAsync(request, token), cancellationToken);
            return ObjectHead.Of(response);
        }
        catch (AmazonS3Exception e) when (IsGone(e))
        {
            return null;
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw BucketErrors.Translate(e, Endpoint, BucketSide.Target, "read", ObjectName(key));
        }
    }

    /// <summary>The tags of the current version of <paramref name="key"/>, sorted by name; none when it is gone.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetTagsAsync(string key, CancellationToken cancellationToken)
    {
        var request = new GetObjectTaggingRequest { BucketName = Endpoint.Bucket, Key = key };
        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var response = await RunAsync(token => _client.GetObjectTaggingAsync(request, token), cancellationToken);
            foreach (var tag in response.Tagging ?? [])
                tags[tag.Key] = tag.Value ?? "";
        }
        catch (AmazonS3Exception e) when (IsGone(e))
        {
            // Gone since the listing: no tags, and the caller's HEAD says why.
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw BucketErrors.Translate(e, Endpoint, BucketSide.Target, "read the tags of", ObjectName(key));
        }

        return tags;
    }

    /// <summary>Writes <paramref name="content"/> under <paramref name="key"/> with one PutObject carrying <paramref name="attributes"/>, tags included.</summary>
    public async Task<TargetWrite> PutAsync(string key, ReadOnlyMemory<byte> content, ObjectAttributes attributes, CancellationToken cancellationToken)
    {
        var response = await WithStorageClassAsync(key, attributes, "write", (storageClass, token) =>
        {
            // A fresh request and stream per attempt: a retry must resend from the first byte.
            var request = new PutObjectRequest
            {
                BucketName = Endpoint.Bucket,
                Key = key,
                InputStream = content.Length == 0 ? new MemoryStream([], writable: false) : AsStream(content),
                AutoCloseStream = true,
                StorageClass = storageClass,
                WebsiteRedirectLocation = attributes.WebsiteRedirectLocation,
                TagSet = TargetAttributes.TagSet(attributes),
            };
            TargetAttributes.Apply(attributes, request.Headers, request.Metadata);
            return _client.PutObjectAsync(request, token);
        }, cancellationToken);
        return new TargetWrite(ETags.Trim(response.ETag), response.VersionId, 0);
    }

    /// <summary>
    /// Writes <paramref name="size"/> bytes under <paramref name="key"/> with one PutObject carrying
    /// <paramref name="attributes"/>, streamed from what <paramref name="open"/> gives for each attempt (a failed attempt
    /// is sent again from a fresh stream only when <paramref name="resendable"/>). With <paramref name="contentMd5"/>
    /// (base64) the server refuses bytes of another MD5. When the stream fails, the request is cut short, the server
    /// keeps nothing, and the stream's <see cref="WithheldEndStream.Failure"/> is thrown.
    /// </summary>
    internal async Task<TargetWrite> PutStreamAsync(
        string key, Func<CancellationToken, Task<WithheldEndStream>> open, long size, ObjectAttributes attributes, string? contentMd5, bool resendable, CancellationToken cancellationToken)
    {
        try
        {
            return await PutStreamOnceAsync(key, open, size, attributes, contentMd5, resendable, cancellationToken);
        }
        catch (TargetObjectRejectedException e) when (resendable && contentMd5 is not null && e.InnerException is AmazonS3Exception { ErrorCode: "BadDigest" })
        {
            // The stream checked every byte against the content's SHA-256 before it let the last one go, so the ETag
            // was 32 hex digits but not the MD5 of the bytes (SSE-KMS and SSE-C make such ETags): send without it.
            return await PutStreamOnceAsync(key, open, size, attributes, null, resendable, cancellationToken);
        }
    }

    private async Task<TargetWrite> PutStreamOnceAsync(
        string key, Func<CancellationToken, Task<WithheldEndStream>> open, long size, ObjectAttributes attributes, string? contentMd5, bool resendable, CancellationToken cancellationToken)
    {
        var response = await WithStorageClassAsync(key, attributes, "write", async (storageClass, token) =>
        {
            await using var body = await open(token);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
            deadline.CancelAfter(SendTime(size));
            var request = new PutObjectRequest
            {
                BucketName = Endpoint.Bucket,
                Key = key,
                InputStream = body,
                AutoCloseStream = false,
                MD5Digest = contentMd5,
                StorageClass = storageClass,
                WebsiteRedirectLocation = attributes.WebsiteRedirectLocation,
                TagSet = TargetAttributes.TagSet(attributes),
            };
            request.Headers.ContentLength = size;
            TargetAttributes.Apply(attributes, request.Headers, request.Metadata);
            try
            {
                return await _streamingClient.Value.PutObjectAsync(request, deadline.Token);
            }
            catch (Exception) when (body.Failure is { } failure)
            {
                // However the SDK wrapped it: the content did not verify, and sending it again would not help.
                throw failure;
            }
        }, cancellationToken, resendable);
        return new TargetWrite(ETags.Trim(response.ETag), response.VersionId, 0);
    }

    /// <summary>Starts a multipart upload of <paramref name="key"/> carrying <paramref name="attributes"/>, tags included (radosgw ignores them here).</summary>
    internal async Task<string> StartMultipartAsync(string key, ObjectAttributes attributes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Not cancelled once sent: a start cancelled in flight may still make an upload on the server whose id never
        // arrives, left to cost space unseen. A cancellation meanwhile aborts the upload as soon as its id is known.
        var response = await WithStorageClassAsync(key, attributes, "start writing", (storageClass, token) =>
        {
            var request = new InitiateMultipartUploadRequest
            {
                BucketName = Endpoint.Bucket,
                Key = key,
                StorageClass = storageClass,
                WebsiteRedirectLocation = attributes.WebsiteRedirectLocation,
                TagSet = TargetAttributes.TagSet(attributes),
            };
            TargetAttributes.Apply(attributes, request.Headers, request.Metadata);
            return _client.InitiateMultipartUploadAsync(request, token);
        }, CancellationToken.None);
        if (cancellationToken.IsCancellationRequested)
        {
            await AbortMultipartAsync(key, response.UploadId);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return response.UploadId;
    }

    /// <summary>
    /// False when the target does not offer <paramref name="storageClass"/>: it refused the class once in this run,
    /// or, when <paramref name="ask"/>, it refuses to start an upload of <paramref name="key"/> in it but not without
    /// it (an upload it starts is aborted at once: nothing is written). STANDARD and no class are always offered;
    /// without <paramref name="ask"/>, a class not yet refused is taken as offered.
    /// </summary>
    public async Task<bool> OffersStorageClassAsync(string key, string? storageClass, bool ask, CancellationToken cancellationToken)
    {
        if (storageClass is null || TargetAttributes.IsStandard(storageClass))
            return true;
        if (_classes.TryGetValue(storageClass, out var known))
            return known;
        if (!ask)
            return true;
        if (await TryStartAsync(key, S3StorageClass.FindValue(storageClass), cancellationToken))
        {
            _classes.TryAdd(storageClass, true);
            return true;
        }

        // radosgw says InvalidArgument for a class it lacks, as for other things: an upload without the class tells.
        // When that is refused too, the key is, and the write that follows says why.
        if (!await TryStartAsync(key, null, cancellationToken))
            return true;
        NoteRefused(storageClass);
        return false;
    }

    /// <summary>Sends part <paramref name="partNumber"/> of an upload.</summary>
    internal async Task<PartETag> UploadPartAsync(string key, string uploadId, int partNumber, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        var response = await WriteAsync(key, $"write part {partNumber} of", token => _client.UploadPartAsync(
            new UploadPartRequest
            {
                BucketName = Endpoint.Bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = partNumber,
                InputStream = new MemoryStream(buffer, 0, length, writable: false),
            },
            token), cancellationToken);
        return new PartETag(partNumber, response.ETag);
    }

    /// <summary>Completes an upload: the moment the object becomes visible, whole.</summary>
    internal async Task<TargetWrite> CompleteMultipartAsync(string key, string uploadId, List<PartETag> parts, CancellationToken cancellationToken)
    {
        var request = new CompleteMultipartUploadRequest { BucketName = Endpoint.Bucket, Key = key, UploadId = uploadId, PartETags = parts };
        var response = await WriteAsync(key, "complete writing", token => _client.CompleteMultipartUploadAsync(request, token), cancellationToken);
        return new TargetWrite(ETags.Trim(response.ETag), response.VersionId, parts.Count);
    }

    /// <summary>Aborts an upload so its parts stop costing space; best effort, never throws.</summary>
    internal async Task AbortMultipartAsync(string key, string uploadId)
    {
        var request = new AbortMultipartUploadRequest { BucketName = Endpoint.Bucket, Key = key, UploadId = uploadId };
        // A leftover upload is invisible garbage; failing the caller's cleanup for it would mask why it aborted.
        Task abort = RunAsync(token => _client.AbortMultipartUploadAsync(request, token), CancellationToken.None);
        await abort.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Replaces the tags of <paramref name="key"/> (the version <paramref name="versionId"/> when given); an empty set removes them.</summary>
    public async Task PutTagsAsync(string key, string? versionId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            var delete = new DeleteObjectTaggingRequest { BucketName = Endpoint.Bucket, Key = key, VersionId = versionId };
            await WriteAsync(key, "remove the tags of", token => _client.DeleteObjectTaggingAsync(delete, token), cancellationToken);
            return;
        }

        var request = new PutObjectTaggingRequest
        {
            BucketName = Endpoint.Bucket,
            Key = key,
            VersionId = versionId,
            Tagging = new Tagging { TagSet = [.. tags.Select(t => new Tag { Key = t.Key, Value = t.Value })] },
        };
        await WriteAsync(key, "write the tags of", token => _client.PutObjectTaggingAsync(request, token), cancellationToken);
    }

    /// <summary>Rewrites the content headers, user metadata and storage class of <paramref name="key"/> by copying it onto itself, whatever its ETag.</summary>
    public Task<bool> CopyInPlaceAsync(string key, ObjectAttributes attributes, CancellationToken cancellationToken) =>
        CopyInPlaceAsync(key, attributes, null, cancellationToken);

    /// <summary>
    /// Rewrites the content headers, user metadata and storage class of <paramref name="key"/> by copying it onto
    /// itself: the server moves no bytes. Its tags stay as they are. With <paramref name="ifETag"/>, only while the
    /// object still has that ETag: false when it has been replaced since (nothing was changed).
    /// </summary>
    public async Task<bool> CopyInPlaceAsync(string key, ObjectAttributes attributes, string? ifETag, CancellationToken cancellationToken)
    {
        var copied = await WithStorageClassAsync(key, attributes, "rewrite the metadata of", async (storageClass, token) =>
        {
            var request = new CopyObjectRequest
            {
                SourceBucket = Endpoint.Bucket,
                SourceKey = key,
                DestinationBucket = Endpoint.Bucket,
                DestinationKey = key,
                MetadataDirective = S3MetadataDirective.REPLACE,
                StorageClass = storageClass,
                WebsiteRedirectLocation = attributes.WebsiteRedirectLocation,
                ETagToMatch = ifETag is null ? null : $"\"{ifETag}\"",
            };
            TargetAttributes.Apply(attributes, request.Headers, request.Metadata);
            try
            {
                await _client.CopyObjectAsync(request, token);
                return true;
            }
            catch (AmazonS3Exception e) when (ifETag is not null && e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return false;
            }
        }, cancellationToken);
        return copied;
    }

    /// <summary>
    /// Deletes up to <see cref="DeleteBatchSize"/> keys with one DeleteObjects (a target with versioning enabled keeps
    /// them as non-current versions under a delete marker; a suspended one replaces their "null" versions for good). Returns the keys the server did not delete, with its reason.
    /// </summary>
    public async Task<IReadOnlyList<(string Key, string Reason)>> DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keys.Count, DeleteBatchSize);
        if (keys.Count == 0)
            return [];
        var request = new DeleteObjectsRequest
        {
            BucketName = Endpoint.Bucket,
            Objects = [.. keys.Select(k => new Amazon.S3.Model.KeyVersion { Key = k })],
            Quiet = true,
        };
        var response = await CallAsync(token => _client.DeleteObjectsAsync(request, token), "delete objects of", BucketName, cancellationToken);
        return [.. (response.DeleteErrors ?? []).Select(e => (e.Key, $"{e.Code}: {e.Message}"))];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _client.Dispose();
        if (_streamingClient.IsValueCreated)
            _streamingClient.Value.Dispose();
    }

    private string BucketName => $"s3://{Endpoint.Bucket}";

    private string ObjectName(string key) => $"s3://{Endpoint.Bucket}/{key}";

    // A write that may name a storage class: when the target does not offer the class, the write is sent again
    // without it (design §5), and later writes leave it out at once. AWS says InvalidStorageClass; radosgw says
    // InvalidArgument, which a write without the class then tells from a refusal of something else.
    private async Task<T> WithStorageClassAsync<T>(
        string key, ObjectAttributes attributes, string action, Func<S3StorageClass?, CancellationToken, Task<T>> call, CancellationToken cancellationToken, bool retry = true)
    {
        var storageClass = attributes.StorageClass is { } name && _classes.TryGetValue(name, out var offered) && !offered ? null : TargetAttributes.StorageClass(attributes, null);
        try
        {
            return await RunAsync(token => call(storageClass, token), cancellationToken, retry);
        }
        catch (AmazonS3Exception e) when (storageClass is not null && e.ErrorCode is "InvalidStorageClass" or "InvalidArgument")
        {
            // Tried again below, without the class.
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw Rejected(e, key, action);
        }

        var written = await WriteAsync(key, action, token => call(null, token), cancellationToken, retry);
        NoteRefused(storageClass.Value);
        return written;
    }

    private void NoteRefused(string storageClass)
    {
        if (_classes.TryAdd(storageClass, false) || _classes.TryUpdate(storageClass, false, true))
            _warn($"{Endpoint.Describe()} does not offer storage class {storageClass}; objects recorded with it are written in the target's default class");
    }

    // Starts an upload of key (in storageClass when given) and aborts it at once; false when the target refuses it as InvalidStorageClass or InvalidArgument.
    private async Task<bool> TryStartAsync(string key, S3StorageClass? storageClass, CancellationToken cancellationToken)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = Endpoint.Bucket, Key = key, StorageClass = storageClass };
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Not cancelled once sent, as in StartMultipartAsync: the upload it may make must be known to be aborted.
            var started = await RunAsync(token => _client.InitiateMultipartUploadAsync(request, token), CancellationToken.None);
            await AbortMultipartAsync(key, started.UploadId);
            cancellationToken.ThrowIfCancellationRequested();
            return true;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "InvalidStorageClass" or "InvalidArgument")
        {
            return false;
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw Rejected(e, key, "start writing");
        }
    }

    private async Task<T> WriteAsync<T>(string key, string action, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, bool retry = true)
    {
        try
        {
            return await RunAsync(call, cancellationToken, retry);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw Rejected(e, key, action);
        }
    }

    // A 400 is about this object (its key, metadata or tags); anything else (credentials, a missing bucket, an
    // unreachable server) would fail every object alike and stops the restore.
    private LifeboatException Rejected(Exception e, string key, string action)
    {
        var translated = BucketErrors.Translate(e, Endpoint, BucketSide.Target, action, ObjectName(key));
        return e is AmazonS3Exception { StatusCode: HttpStatusCode.BadRequest } && translated.Remedy is null
            ? new TargetObjectRejectedException(key, translated)
            : translated;
    }

    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, string action, string objectName, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(call, cancellationToken);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw BucketErrors.Translate(e, Endpoint, BucketSide.Target, action, objectName);
        }
    }

    private Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, bool retry = true) =>
        (retry ? _retry : ResiliencePipeline.Empty).ExecuteAsync(static async (call, token) => await call(token), call, cancellationToken).AsTask();

    // Enough time to send an object of this size at the slowest rate still taken for working.
    private static TimeSpan SendTime(long size) => S3ClientFactory.RequestTimeout + TimeSpan.FromSeconds(size / SlowestSendRate);

    // The caller's own cancellation passes through untranslated; everything else becomes a LifeboatException.
    private static bool IsFailure(Exception e, CancellationToken cancellationToken) =>
        !(e is OperationCanceledException && cancellationToken.IsCancellationRequested) && e is not LifeboatException;

    private static bool IsGone(AmazonS3Exception e) =>
        e.ErrorCode is "NoSuchKey" || (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket");

    private static ListingEntry Entry(S3Object item) => new(
        item.Key, BucketObjectRecord.NullVersion, IsLatest: true, IsDeleteMarker: false,
        ListingTime.Of(item.LastModified), item.Size ?? 0, ETags.Trim(item.ETag), item.StorageClass?.Value);

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    private static string? NullIfEmpty(string prefix) => prefix.Length == 0 ? null : prefix;
}
