using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// Appends sealed small blobs to packs of at most <see cref="PackFormat.MaxPackBytes"/>: one pack fills while the
/// previous one uploads, so memory holds two packs. A blob's location is final when it is appended, but its pack is
/// durable only once <see cref="FlushAsync"/> returns. Not for concurrent use: the caller serializes calls.
/// </summary>
public sealed class PackAssembler(BackupRepository repository, BucketContentLayout layout) : IAsyncDisposable
{
    private readonly List<PackTableEntry> _table = [];
    private ObjectUpload? _filling;
    private string _fillingId = "";
    private long _filled;
    private Task _uploading = Task.CompletedTask;

    private int _packsWritten;
    private long _bytesWritten;

    /// <summary>Packs completed so far.</summary>
    public int PacksWritten => Volatile.Read(ref _packsWritten);

    /// <summary>Pack bytes written so far, tables included.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Appends <paramref name="blob"/> to the filling pack, first sealing that pack when the blob would not fit.</summary>
    public async Task<ContentLocation> AppendAsync(SealedBlob blob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (blob.Size >= PackFormat.LargeFrom)
            throw new ArgumentException($"content of {blob.Size} bytes is stored as a pack of one, not packed", nameof(blob));
        if (_filling is not null && !Fits(blob.Envelope.Length))
            await SealAsync(cancellationToken);
        if (_filling is null)
        {
            _fillingId = BucketContentLayout.NewPackId();
            _filling = await repository.Store.CreateAsync(layout.PackKey(_fillingId), cancellationToken);
        }

        var offset = _filled;
        await _filling.WriteAsync(blob.Envelope, cancellationToken);
        _filled += blob.Envelope.Length;
        _table.Add(new PackTableEntry(blob.Sha256.ToString(), blob.Size, offset, blob.Envelope.Length));
        var location = new ContentLocation(blob.Sha256, blob.Size, _fillingId, offset, blob.Envelope.Length);
        if (_table.Count == PackFormat.MaxBlobs)
            await SealAsync(cancellationToken);
        return location;
    }

    /// <summary>Seals the filling pack, if any, and waits until every pack is durable.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_filling is not null)
            await SealAsync(cancellationToken);
        await _uploading;
    }

    /// <summary>Discards a pack still filling (its upload is aborted) and lets an upload in flight settle.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_filling is not null)
            await _filling.DisposeAsync();
        _filling = null;
        await _uploading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private bool Fits(int stored) =>
        _filled + stored + PackFormat.TableReserve(_table.Count + 1, repository.Envelope.ChunkSize) <= PackFormat.MaxPackBytes;

    private async Task SealAsync(CancellationToken cancellationToken)
    {
        var upload = _filling!;
        var written = _filled;
        _filling = null;
        _filled = 0;
        try
        {
            // One pack uploads while the next fills; a third waits here.
            await _uploading;
            written += await PackTable.WriteAsync(repository, upload, _table, cancellationToken);
        }
        catch
        {
            await upload.DisposeAsync();
            throw;
        }
        finally
        {
            _table.Clear();
        }

        _uploading = CompleteAsync(upload, written, cancellationToken);
    }

    private async Task CompleteAsync(ObjectUpload upload, long bytes, CancellationToken cancellationToken)
    {
        await using (upload)
            await upload.CompleteAsync(cancellationToken);
        Interlocked.Increment(ref _packsWritten);
        Interlocked.Add(ref _bytesWritten, bytes);
    }
}
