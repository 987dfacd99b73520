using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Target;

namespace Lifeboat.Buckets.Restore;

/// <summary>
/// The write phase of a restore (design §5). Small objects are read in pack order, neighbouring blobs with one ranged
/// GET, each verified before its PUT; large ones stream into one PUT or a multipart upload that completes only once
/// their content verified; empty ones need no read. A damaged or missing content is named and skipped, and the others go on.
/// </summary>
internal sealed class ObjectWrites(RestoreContext context, ContentReader content, SpillDirectory spill)
{
    // Large objects going multipart hold two part buffers each; this many at once bounds that memory, for the write
    // phase and for the metadata fixes that find an object changed and write it again.
    private const int LargeAtOnce = 2;

    private readonly TargetObjectUpload _upload = new(context.Target);
    private readonly SemaphoreSlim _large = new(LargeAtOnce, LargeAtOnce);
    private ITransferProgress? _progress;

    /// <summary>Writes every object of <paramref name="writes"/> (in key order), <paramref name="bytes"/> bytes together.</summary>
    public async Task RunAsync(SortedSpillFile<BucketObjectRecord> writes, long bytes, string where, CancellationToken cancellationToken)
    {
        if (writes.Count == 0)
            return;
        _progress = context.Reporter.StartTransfer($"restoring {writes.Count} objects to {where}", bytes);
        var (packed, streamed, empty) = await RouteAsync(writes, cancellationToken);
        var transfers = context.Settings.Transfers;
        await AllAsync(
            [
                token => RestoreContext.ForEachAsync(ReadPackedAsync(packed, token), transfers, (item, t) => WriteReadAsync(item.Record, item.Read, t), token),
                token => RestoreContext.ForEachAsync(streamed.ReadAsync(token), Math.Min(LargeAtOnce, transfers), (record, t) => new ValueTask(WriteStreamedAsync(record, t)), token),
                token => RestoreContext.ForEachAsync(empty.ReadAsync(token), transfers, WriteEmptyAsync, token),
            ],
            cancellationToken);
    }

    /// <summary>Writes one object from its stored content, streamed and verified (also for a look that found the target changed).</summary>
    public async Task WriteStreamedAsync(BucketObjectRecord record, CancellationToken cancellationToken)
    {
        ContentDigest sha;
        try
        {
            sha = ContentDigest.Parse(record.Sha256 ?? "", $"the record of '{record.Key}'");
        }
        catch (LifeboatException e)
        {
            context.Fail(record.Key, e);
            return;
        }

        await _large.WaitAsync(cancellationToken);
        try
        {
            // Opened per attempt: a single PUT that failed on the way is sent again from the content's first byte.
            await GuardAsync(record, () => _upload.StreamAsync(
                record.Key, token => content.OpenAsync(sha, record.Size, token), record.Size, record.Attributes, record.ETag, sourcePartSize: null, cancellationToken));
        }
        finally
        {
            _large.Release();
        }
    }

    // Small contents go in pack order; large ones (a pack of one each) and those the catalog does not hold stream,
    // the latter to be named by the read; empty ones have no content at all.
    private async Task<(SortedSpillFile<PackedWrite> Packed, SortedSpillFile<BucketObjectRecord> Streamed, SortedSpillFile<BucketObjectRecord> Empty)> RouteAsync(
        SortedSpillFile<BucketObjectRecord> writes, CancellationToken cancellationToken)
    {
        var packed = new SpillSorter<PackedWrite>(spill, PackedWriteCodec.Instance, PackOrder.Instance);
        var streamedPath = spill.NewFile("streamed");
        var emptyPath = spill.NewFile("empty");
        await using (var streamed = new SpillLineWriter<BucketObjectRecord>(streamedPath, IndexRecordCodec.Instance))
        await using (var empty = new SpillLineWriter<BucketObjectRecord>(emptyPath, IndexRecordCodec.Instance))
        {
            await foreach (var record in writes.ReadAsync(cancellationToken))
            {
                if (record.Size == 0)
                    await empty.WriteAsync(record, cancellationToken);
                else if (record.Size < PackFormat.LargeFrom && ContentDigest.TryParse(record.Sha256, out var sha) && content.Locate(sha) is { } location)
                    await packed.AddAsync(new PackedWrite(location, record), cancellationToken);
                else
                    await streamed.WriteAsync(record, cancellationToken);
            }

            await streamed.FlushAsync(cancellationToken);
            await empty.FlushAsync(cancellationToken);
            return (
                await packed.FinishAsync(cancellationToken),
                new SortedSpillFile<BucketObjectRecord>(streamedPath, streamed.Count, IndexRecordCodec.Instance),
                new SortedSpillFile<BucketObjectRecord>(emptyPath, empty.Count, IndexRecordCodec.Instance));
        }
    }

    // The reader yields one verified read per location, in the order given: the same file read twice pairs them up.
    private async IAsyncEnumerable<(BucketObjectRecord Record, BlobRead Read)> ReadPackedAsync(
        SortedSpillFile<PackedWrite> packed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var writes = packed.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await foreach (var read in content.ReadInPackOrderAsync(Locations(packed, cancellationToken), cancellationToken))
        {
            if (!await writes.MoveNextAsync())
                throw new InvalidOperationException("the pack-ordered reads outnumber the objects to write");
            yield return (writes.Current.Record, read);
        }
    }

    private static async IAsyncEnumerable<ContentLocation> Locations(SortedSpillFile<PackedWrite> packed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var write in packed.ReadAsync(cancellationToken))
            yield return write.Location;
    }

    private async ValueTask WriteReadAsync(BucketObjectRecord record, BlobRead read, CancellationToken cancellationToken)
    {
        if (read.Content is not { } bytes)
        {
            context.Fail(record.Key, read.Error ?? new LifeboatException($"the stored content of '{record.Key}' did not read"));
            return;
        }

        await GuardAsync(record, () => _upload.WriteAsync(record.Key, bytes, record.Attributes, record.ETag, cancellationToken));
    }

    private async ValueTask WriteEmptyAsync(BucketObjectRecord record, CancellationToken cancellationToken) =>
        await GuardAsync(record, () => _upload.WriteAsync(record.Key, ReadOnlyMemory<byte>.Empty, record.Attributes, record.ETag, cancellationToken));

    // What fails one object is named and counted; anything else (the target unreachable, credentials refused) stops the restore.
    private async Task GuardAsync(BucketObjectRecord record, Func<Task<TargetWrite>> write)
    {
        try
        {
            await write();
        }
        catch (ContentUnreadableException e)
        {
            context.Fail(record.Key, e.Cause);
            return;
        }
        catch (TargetObjectRejectedException e)
        {
            context.Fail(record.Key, e);
            return;
        }

        context.Tally.Restored(record.Size);
        _progress?.Report(context.Tally.RestoredBytes);
    }

    // The pipelines run side by side; the first to fail stops the others, and its error (not their stops) is thrown.
    private static async Task AllAsync(IReadOnlyList<Func<CancellationToken, Task>> pipelines, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = pipelines.Select(async pipeline =>
        {
            try
            {
                await pipeline(stop.Token);
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        }).ToList();
        try
        {
            await Task.WhenAll(running);
        }
        catch (Exception first) when (!cancellationToken.IsCancellationRequested)
        {
            var cause = running.Select(t => t.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException) ?? first;
            ExceptionDispatchInfo.Throw(cause);
        }
    }
}
