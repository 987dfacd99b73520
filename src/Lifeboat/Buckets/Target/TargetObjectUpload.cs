using Amazon.S3.Model;

namespace Lifeboat.Buckets.Target;

/// <summary>
/// Writes one object back with its attributes: from bytes already verified with one PutObject, or streamed from
/// stored content that verifies itself at its end, in parts of the size that reproduces the source's part count
/// (<see cref="PartSizeChoice"/>). Nothing is made visible before every byte verified: a single PUT starts only after
/// the whole content read back, and a multipart upload completes only after the content's end checked out; otherwise
/// it is aborted and a <see cref="ContentUnreadableException"/> names the key.
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
    /// Writes <paramref name="size"/> bytes of <paramref name="content"/> under <paramref name="key"/>. The stream must
    /// fail at its end unless the bytes are the recorded ones (as stored content opened for reading does).
    /// </summary>
    public async Task<TargetWrite> StreamAsync(string key, Stream content, long size, ObjectAttributes attributes, string? sourceEtag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (PartSizeChoice.For(size, sourceEtag) is { } partSize)
            return await MultipartAsync(key, content, size, partSize, attributes, cancellationToken);
        var buffer = new byte[size];
        await ReadContentAsync(key, content, buffer, cancellationToken);
        await CheckEndAsync(key, content, size, cancellationToken);
        return await client.PutAsync(key, buffer, attributes, cancellationToken);
    }

    private async Task<TargetWrite> MultipartAsync(string key, Stream content, long size, long partSize, ObjectAttributes attributes, CancellationToken cancellationToken)
    {
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
                await ReadContentAsync(key, content, buffer.AsMemory(0, length), cancellationToken);
                if (sending is not null)
                    parts.Add(await sending);
                sending = client.UploadPartAsync(key, uploadId, number, buffer, length, cancellationToken);
                sent += length;
            }

            // The content's end is what verifies it: only then may the upload become an object.
            await CheckEndAsync(key, content, size, cancellationToken);
            parts.Add(await sending!);
            sending = null;
            var versionId = await client.CompleteMultipartAsync(key, uploadId, parts, cancellationToken);
            if (attributes.Tags.Count > 0)
                await client.PutTagsAsync(key, versionId, attributes.Tags, cancellationToken);
            // radosgw completes with an empty ETag; the HEAD has the real one.
            var head = await client.HeadAsync(key, cancellationToken);
            return new TargetWrite(head?.ETag ?? "", versionId, parts.Count);
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

    private static async Task ReadContentAsync(string key, Stream content, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read;
        try
        {
            read = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        }
        catch (LifeboatException e)
        {
            throw new ContentUnreadableException(key, e);
        }

        if (read < buffer.Length)
            throw new ContentUnreadableException(key, new LifeboatException($"the stored content of '{key}' ended early", "the stored content is damaged") { Remedy = new(RemedyAction.CheckRepositoryData) });
    }

    // One more read, which must find the end: that is where stored content checks its length and SHA-256.
    private static async Task CheckEndAsync(string key, Stream content, long size, CancellationToken cancellationToken)
    {
        int more;
        try
        {
            more = await content.ReadAsync(new byte[1], cancellationToken);
        }
        catch (LifeboatException e)
        {
            throw new ContentUnreadableException(key, e);
        }

        if (more != 0)
            throw new ContentUnreadableException(key, new LifeboatException($"the stored content of '{key}' holds more than the {size} bytes recorded", "the stored content is damaged") { Remedy = new(RemedyAction.CheckRepositoryData) });
    }
}
