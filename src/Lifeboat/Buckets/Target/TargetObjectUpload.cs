using Amazon.S3.Model;

namespace Lifeboat.Buckets.Target;

/// <summary>
/// Writes one object back with its attributes: from bytes already verified, or streamed from stored content that
/// verifies itself at its end; as one PutObject or in parts of the size that reproduces the source's part count
/// (<see cref="PartSizeChoice"/>). Nothing is made visible before every byte verified: a streamed PUT hands over its
/// last byte only after the content's end checked out (else the request is cut short and the server keeps nothing),
/// and a multipart upload completes only then (else it is aborted); a <see cref="ContentUnreadableException"/> names
/// the key.
/// </summary>
public sealed class TargetObjectUpload(TargetBucketClient client)
{
    /// <summary>Writes <paramref name="verified"/>, content that was read back whole and checked, under <paramref name="key"/>.</summary>
    public Task<TargetWrite> WriteAsync(string key, ReadOnlyMemory<byte> verified, ObjectAttributes attributes, string? sourceEtag, CancellationToken cancellationToken)
    {
        var partSize = PartSizeChoice.For(verified.Length, sourceEtag);
        return partSize is null
            ? client.PutAsync(key, verified, attributes, cancellationToken)
            : MultipartAsync(key, new MemoryStream(verified.ToArray(), writable: false), verified.Length, partSize.Value, attributes, cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="size"/> bytes of stored content under <paramref name="key"/>, from a stream
    /// <paramref name="open"/> gives, which must fail at its end unless the bytes are the recorded ones (as stored
    /// content opened for reading does). A single PUT that fails on the way is sent again from a fresh stream. A
    /// multipart ETag is reproduced with <paramref name="sourcePartSize"/> when the source told it, else a guess.
    /// </summary>
    public async Task<TargetWrite> StreamAsync(
        string key, Func<CancellationToken, Task<Stream>> open, long size, ObjectAttributes attributes, string? sourceEtag, long? sourcePartSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        if (size == 0)
            return await EmptyAsync(key, open, attributes, cancellationToken);
        if (PartSizeChoice.For(size, sourceEtag, sourcePartSize) is { } partSize)
        {
            await using var content = await OpenAsync(key, open, cancellationToken);
            return await MultipartAsync(key, content, size, partSize, attributes, cancellationToken);
        }

        return await client.PutStreamAsync(
            key, async token => new WithheldEndStream(key, await OpenAsync(key, open, token), size), size, attributes, ContentMd5(sourceEtag), resendable: true, cancellationToken);
    }

    /// <summary>The Content-MD5 (base64) a plain ETag gives: the MD5 of the bytes of a single PUT; null for any other ETag.</summary>
    internal static string? ContentMd5(string? etag)
    {
        var hex = etag?.Trim('"');
        if (hex is not { Length: 32 } || !hex.All(char.IsAsciiHexDigit))
            return null;
        return Convert.ToBase64String(Convert.FromHexString(hex));
    }

    // radosgw refuses an empty body sent through the streaming client (XAmzContentSHA256Mismatch), and there is no
    // last byte to hold back: the content's end is checked first, then nothing is sent the plain way.
    private async Task<TargetWrite> EmptyAsync(string key, Func<CancellationToken, Task<Stream>> open, ObjectAttributes attributes, CancellationToken cancellationToken)
    {
        await using (var verifying = new WithheldEndStream(key, await OpenAsync(key, open, cancellationToken), 0))
            await verifying.CopyToAsync(Stream.Null, cancellationToken);
        return await client.PutAsync(key, ReadOnlyMemory<byte>.Empty, attributes, cancellationToken);
    }

    private static async Task<Stream> OpenAsync(string key, Func<CancellationToken, Task<Stream>> open, CancellationToken cancellationToken)
    {
        try
        {
            return await open(cancellationToken);
        }
        catch (LifeboatException e) when (e is not ContentUnreadableException)
        {
            throw new ContentUnreadableException(key, e);
        }
    }

    private async Task<TargetWrite> MultipartAsync(string key, Stream content, long size, long partSize, ObjectAttributes attributes, CancellationToken cancellationToken)
    {
        // Reading the last part reads on to the content's end, which verifies it: only then may the upload complete.
        var verifying = new WithheldEndStream(key, content, size);
        var uploadId = await client.StartMultipartAsync(key, attributes, cancellationToken);
        var parts = new List<PartETag>();
        Task<PartETag>? sending = null;
        try
        {
            // Two buffers: one part is sent while the next is read.
            var buffers = new[] { new byte[Math.Min(partSize, size)], new byte[Math.Min(partSize, Math.Max(0, size - partSize))] };
            long sent = 0;
            for (var number = 1; sent < size; number++)
            {
                var buffer = buffers[(number - 1) % 2];
                var length = (int)Math.Min(partSize, size - sent);
                await verifying.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
                if (sending is not null)
                    parts.Add(await sending);
                sending = client.UploadPartAsync(key, uploadId, number, buffer, length, cancellationToken);
                sent += length;
            }

            parts.Add(await sending!);
            sending = null;
            var written = await client.CompleteMultipartAsync(key, uploadId, parts, cancellationToken);
            // The tags went with the upload's start, so AWS and MinIO show the object with them at once; radosgw
            // ignores them there, and setting them again is the same on a server that took them.
            if (attributes.Tags.Count > 0)
                await client.PutTagsAsync(key, written.VersionId, attributes.Tags, cancellationToken);
            return written;
        }
        catch
        {
            // A part still being sent must settle before the abort, or it could land after it and linger.
            if (sending is not null)
                await ((Task)sending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await client.AbortMultipartAsync(key, uploadId);
            throw;
        }
    }
}
