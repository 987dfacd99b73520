using System.Buffers;
using System.Security.Cryptography;
using Lifeboat.Buckets.Content;

namespace Lifeboat.Buckets.Source;

/// <summary>
/// Reads one listed version and stores its content (design §4.2): a small object whole into a pooled buffer, hashed and
/// stored packed; a large one streamed into a pack of one, or only hashed when the catalog knows an upload of the same
/// size and ETag. The SHA-256 of the bytes read is the identity, never the ETag. An object replaced while it was read is
/// started over, up to <see cref="Attempts"/> times, so the stored bytes always hash to the recorded sha.
/// </summary>
public sealed class ObjectTransfer(SourceBucketClient client, BucketContentStore content, TagReading tags, bool versioned)
{
    /// <summary>Reads of one object before a change during every one of them fails the run.</summary>
    public const int Attempts = 3;

    /// <summary>Large objects in flight at once: each holds a read buffer and the store's part buffers.</summary>
    public const int LargeAtOnce = 2;

    private const int CopyBuffer = 1 << 20;

    private readonly SemaphoreSlim _large = new(LargeAtOnce, LargeAtOnce);

    /// <summary>What reading <paramref name="request"/> found; the content is durable once the store's next checkpoint ran.</summary>
    public async Task<ReadOutcome> RunAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAsync(request, cancellationToken);
            }
            catch (SourceObjectChangedException) when (attempt < Attempts)
            {
                // Whatever the attempt stored is either complete and correct, or was never registered.
            }
        }
    }

    private async Task<ReadOutcome> TryAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        var entry = request.Entry;
        // A versioned listing names each version; the null version of a versioned bucket is addressed as "null" too.
        var versionId = versioned ? entry.VersionId : null;
        var tagsAsked = tags.AskAlways ? client.GetTagsAsync(entry.Key, versionId, cancellationToken) : null;
        try
        {
            await using var read = await SourceObjectRead.OpenAsync(client, entry.Key, versionId, cancellationToken);
            if (read is null)
                return ReadOutcome.Gone(request.Ticket);
            var stored = read.Identity.Size < PackFormat.LargeFrom
                ? await StoreSmallAsync(read, cancellationToken)
                : await StoreLargeAsync(read, entry.Key, versionId, cancellationToken);
            var tagSet = await TagsAsync(tagsAsked, read.TagCount, entry.Key, versionId, cancellationToken);
            tags.Observe(read.TagCount, tagSet.Count);
            return ReadOutcome.Read(request.Ticket, stored, read.Attributes with { Tags = tagSet }, Replacement(entry, read.Identity));
        }
        finally
        {
            // A GetObjectTagging whose answer is no longer needed (the object was gone or changed) must not fault unobserved.
            _ = tagsAsked?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private async Task<IReadOnlyDictionary<string, string>> TagsAsync(
        Task<IReadOnlyDictionary<string, string>?>? asked, int? tagCount, string key, string? versionId, CancellationToken cancellationToken)
    {
        if (asked is not null)
            return await asked ?? ObjectAttributes.None.Tags;
        if (tagCount is not > 0)
            return ObjectAttributes.None.Tags;
        return await client.GetTagsAsync(key, versionId, cancellationToken) ?? ObjectAttributes.None.Tags;
    }

    // Unversioned sources only: the key now holds another upload than the one listed, and the record takes the GET's.
    private ObjectIdentity? Replacement(ListingEntry entry, ObjectIdentity read)
    {
        if (versioned)
            return null;
        var sameSecond = entry.LastModified.ToUnixTimeSeconds() == read.LastModified.ToUnixTimeSeconds();
        return read.Size == entry.Size && read.ETag == entry.ETag && sameSecond ? null : read;
    }

    private async Task<ContentRef> StoreSmallAsync(SourceObjectRead read, CancellationToken cancellationToken)
    {
        var size = (int)read.Identity.Size;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            await read.Body.ReadExactlyAsync(buffer.AsMemory(0, size), cancellationToken);
            return await content.StoreSmallAsync(buffer.AsMemory(0, size), read.Identity.ETag, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<ContentRef> StoreLargeAsync(SourceObjectRead read, string key, string? versionId, CancellationToken cancellationToken)
    {
        await _large.WaitAsync(cancellationToken);
        try
        {
            return await StoreLargeAloneAsync(read, key, versionId, cancellationToken);
        }
        finally
        {
            _large.Release();
        }
    }

    private async Task<ContentRef> StoreLargeAloneAsync(SourceObjectRead read, string key, string? versionId, CancellationToken cancellationToken)
    {
        var identity = read.Identity;
        if (await content.FindByHintAsync(identity.Size, identity.ETag, cancellationToken) is { } hinted)
        {
            // GET is faster than PUT: reading once more to prove the content costs less than storing it again.
            if (await HashAsync(read.Body, cancellationToken) == hinted)
                return new ContentRef(hinted, identity.Size, 0);
            await using var again = await SourceObjectRead.OpenAsync(client, key, versionId, cancellationToken)
                ?? throw new SourceObjectChangedException(key, 0);
            if (again.Identity.ETag != identity.ETag)
                throw new SourceObjectChangedException(key, 0);
            return await UploadAsync(again, cancellationToken);
        }

        return await UploadAsync(read, cancellationToken);
    }

    private async Task<ContentRef> UploadAsync(SourceObjectRead read, CancellationToken cancellationToken)
    {
        await using var upload = await content.BeginLargeAsync(read.Identity.ETag, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBuffer);
        try
        {
            int count;
            while ((count = await read.Body.ReadAsync(buffer.AsMemory(0, CopyBuffer), cancellationToken)) > 0)
                await upload.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return await upload.CompleteAsync(cancellationToken);
    }

    private static async Task<string> HashAsync(Stream body, CancellationToken cancellationToken)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBuffer);
        try
        {
            int count;
            while ((count = await body.ReadAsync(buffer.AsMemory(0, CopyBuffer), cancellationToken)) > 0)
                sha.AppendData(buffer, 0, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
