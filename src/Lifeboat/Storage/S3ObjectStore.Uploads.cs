using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Lifeboat.Storage;

/// <summary>The S3 calls behind <see cref="S3ObjectUpload"/>: single puts and the steps of a multipart upload.</summary>
public sealed partial class S3ObjectStore
{
    /// <summary>Sends a whole object in one request.</summary>
    internal async Task PutAsync(string key, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            // A fresh stream per attempt: a retry must resend from the first byte.
            await RunAsync(
                token => _client.PutObjectAsync(
                    new PutObjectRequest { BucketName = S3.Bucket, Key = FullKey(key), InputStream = new MemoryStream(buffer, 0, length, writable: false) },
                    token),
                cancellationToken);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "write", ObjectName(key));
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One PutObject with <c>If-None-Match: *</c>: S3 answers 412 when the key exists. A 409
    /// (ConditionalRequestConflict, a concurrent conditional write in progress on AWS) is retried as transient, after
    /// which the write either lands or meets the other's object.
    /// </remarks>
    public async Task<bool> TryCreateNewAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        var bytes = content.ToArray();
        try
        {
            await RunAsync(
                token => _client.PutObjectAsync(
                    new PutObjectRequest { BucketName = S3.Bucket, Key = FullKey(key), IfNoneMatch = "*", InputStream = new MemoryStream(bytes, writable: false) },
                    token),
                cancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "write", ObjectName(key));
        }
    }

    /// <summary>Starts a multipart upload and returns its id.</summary>
    internal async Task<string> StartMultipartAsync(string key, CancellationToken cancellationToken)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = S3.Bucket, Key = FullKey(key) };
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Not cancelled once sent: a start cancelled in flight may still make an upload whose id never arrives, left
            // for prune to find. A cancellation meanwhile aborts the upload as soon as its id is known.
            var response = await RunAsync(token => _client.InitiateMultipartUploadAsync(request, token), CancellationToken.None);
            if (cancellationToken.IsCancellationRequested)
            {
                await AbortMultipartAsync(key, response.UploadId);
                cancellationToken.ThrowIfCancellationRequested();
            }

            return response.UploadId;
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "start writing", ObjectName(key));
        }
    }

    /// <summary>Sends one part of a multipart upload.</summary>
    internal async Task<PartETag> UploadPartAsync(string key, string uploadId, int partNumber, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            var response = await RunAsync(
                token => _client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = S3.Bucket,
                        Key = FullKey(key),
                        UploadId = uploadId,
                        PartNumber = partNumber,
                        InputStream = new MemoryStream(buffer, 0, length, writable: false),
                    },
                    token),
                cancellationToken);
            return new PartETag(partNumber, response.ETag);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, $"write part {partNumber} of", ObjectName(key));
        }
    }

    /// <summary>Completes a multipart upload: the moment the object becomes visible, whole.</summary>
    internal async Task CompleteMultipartAsync(string key, string uploadId, List<PartETag> parts, CancellationToken cancellationToken)
    {
        var request = new CompleteMultipartUploadRequest { BucketName = S3.Bucket, Key = FullKey(key), UploadId = uploadId, PartETags = parts };
        try
        {
            await RunAsync(token => _client.CompleteMultipartUploadAsync(request, token), cancellationToken);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "complete writing", ObjectName(key));
        }
    }

    /// <summary>Aborts a multipart upload so its parts stop costing space; best effort, never throws.</summary>
    internal async Task AbortMultipartAsync(string key, string uploadId)
    {
        var request = new AbortMultipartUploadRequest { BucketName = S3.Bucket, Key = FullKey(key), UploadId = uploadId };
        // A leftover upload is invisible garbage; failing the caller's cleanup for it would mask their own error.
        Task abort = RunAsync(token => _client.AbortMultipartUploadAsync(request, token), CancellationToken.None);
        await abort.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
