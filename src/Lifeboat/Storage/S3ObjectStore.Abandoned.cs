using Amazon.S3.Model;

namespace Lifeboat.Storage;

/// <summary>Finding and aborting multipart uploads whose process died before completing or aborting them.</summary>
public sealed partial class S3ObjectStore
{
    /// <inheritdoc />
    public async Task<int> RemoveAbandonedUploadsAsync(TimeSpan idleFor, CancellationToken cancellationToken)
    {
        try
        {
            var removed = 0;
            foreach (var (upload, _) in await AbandonedAsync(idleFor, cancellationToken))
            {
                if (await TryAbortAsync(upload, cancellationToken))
                    removed++;
            }

            return removed;
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "remove abandoned uploads under", ObjectName(""));
        }
    }

    /// <inheritdoc />
    public async Task<AbandonedUploads> FindAbandonedUploadsAsync(TimeSpan idleFor, CancellationToken cancellationToken)
    {
        try
        {
            var found = await AbandonedAsync(idleFor, cancellationToken);
            return new AbandonedUploads(found.Count, found.Sum(f => f.Bytes), ObjectName(""));
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, S3, "look for abandoned uploads under", ObjectName(""));
        }
    }

    /// <summary>The uploads under the prefix not written to for <paramref name="idleFor"/>, with the bytes of their parts.</summary>
    private async Task<List<(MultipartUpload Upload, long Bytes)>> AbandonedAsync(TimeSpan idleFor, CancellationToken cancellationToken)
    {
        var cutoff = DateTime.UtcNow - idleFor;
        var abandoned = new List<(MultipartUpload, long)>();
        var request = new ListMultipartUploadsRequest { BucketName = S3.Bucket, Prefix = _keyPrefix };
        while (true)
        {
            var page = await RunAsync(token => _client.ListMultipartUploadsAsync(request, token), cancellationToken);
            foreach (var upload in page.MultipartUploads ?? [])
            {
                var (latest, bytes) = await ActivityAsync(upload, cancellationToken);
                if (latest <= cutoff)
                    abandoned.Add((upload, bytes));
            }

            if (page.IsTruncated != true)
                return abandoned;
            request.KeyMarker = page.NextKeyMarker;
            request.UploadIdMarker = page.NextUploadIdMarker;
        }
    }

    private async Task<bool> TryAbortAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(token => _client.AbortMultipartUploadAsync(S3.Bucket, upload.Key, upload.UploadId, token), cancellationToken);
            return true;
        }
        catch (Amazon.S3.AmazonS3Exception e) when (e.ErrorCode == "NoSuchUpload")
        {
            // Its owner completed or aborted it meanwhile.
            return false;
        }
    }

    // An upload started long ago may still be sending parts (a terabyte takes hours), so its newest
    // part, not its start, tells whether anyone is still working on it.
    private async Task<(DateTime Latest, long Bytes)> ActivityAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        var latest = ToOffset(upload.Initiated).UtcDateTime;
        var bytes = 0L;
        var request = new ListPartsRequest { BucketName = S3.Bucket, Key = upload.Key, UploadId = upload.UploadId };
        while (true)
        {
            ListPartsResponse page;
            try
            {
                page = await RunAsync(token => _client.ListPartsAsync(request, token), cancellationToken);
            }
            catch (Amazon.S3.AmazonS3Exception e) when (e.ErrorCode == "NoSuchUpload")
            {
                // Completed or aborted since it was listed: nothing left to remove.
                return (DateTime.MaxValue, 0);
            }

            foreach (var part in page.Parts ?? [])
            {
                latest = Max(latest, ToOffset(part.LastModified).UtcDateTime);
                bytes += part.Size ?? 0;
            }

            if (page.IsTruncated != true)
                return (latest, bytes);
            request.PartNumberMarker = page.NextPartNumberMarker?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
