using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// One large content streamed into a pack of one while it is hashed: write the source's bytes, then
/// <see cref="CompleteAsync"/>. Memory is one envelope chunk and the store's part buffers, whatever the size. The
/// SHA-256 is known only at the end; a content the repository turns out to hold already is discarded then (its
/// multipart upload aborted), so no duplicate is ever visible. Disposing without completing leaves nothing.
/// </summary>
public sealed class LargeContentUpload : WriteOnlyStream
{
    private readonly BackupRepository _repository;
    private readonly BucketContentLayout _layout;
    private readonly IContentRegistry _registry;
    private readonly string? _sourceEtag;
    private readonly string _packId = BucketContentLayout.NewPackId();
    private readonly byte[] _sample = new byte[CompressionProbe.SampleSize];
    private int _sampled;
    private long _written;
    private ObjectUpload? _upload;
    private EnvelopeWriter? _envelope;
    private bool _completed;
    private bool _disposed;

    internal LargeContentUpload(BackupRepository repository, BucketContentLayout layout, IContentRegistry registry, string? sourceEtag)
    {
        _repository = repository;
        _layout = layout;
        _registry = registry;
        _sourceEtag = sourceEtag;
    }

    /// <summary>Content bytes written so far.</summary>
    public long BytesWritten => _written;

    /// <inheritdoc />
    public override bool CanWrite => !_completed && !_disposed;

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer) => WriteAsync(buffer.ToArray()).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
            throw new InvalidOperationException("the content is complete; nothing more can be written");
        _written += buffer.Length;
        if (_envelope is null)
        {
            // The first bytes decide the compression, so they wait until there are enough of them to judge.
            var take = Math.Min(buffer.Length, _sample.Length - _sampled);
            buffer[..take].CopyTo(_sample.AsMemory(_sampled));
            _sampled += take;
            buffer = buffer[take..];
            if (_sampled < _sample.Length)
                return;
            await StartAsync(cancellationToken);
        }

        if (!buffer.IsEmpty)
            await _envelope!.WriteAsync(buffer, cancellationToken);
    }

    /// <summary>
    /// Seals the content and makes its pack durable, unless the repository holds the content already. Returns its
    /// address and the bytes this upload added (0 for content already held, and for empty content, which is never stored).
    /// </summary>
    public async Task<ContentRef> CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_envelope is null)
            await StartAsync(cancellationToken);
        await _envelope!.FinishAsync(cancellationToken);
        _completed = true;
        var sha = ContentDigest.Parse(_envelope.PlaintextSha256, "a large content");
        var size = _envelope.PlaintextBytes;
        var stored = _envelope.StoredBytes;
        if (size == 0 || _registry.Contains(sha))
        {
            await DiscardAsync();
            return new ContentRef(sha.ToString(), size, 0);
        }

        var tableBytes = await PackTable.WriteAsync(_repository, _upload!, [new PackTableEntry(sha.ToString(), size, 0, stored)], cancellationToken);
        await _upload!.CompleteAsync(cancellationToken);
        if (!await _registry.TryRegisterAsync(new ContentLocation(sha, size, _packId, 0, stored), _sourceEtag, cancellationToken))
        {
            // Another task stored the same content at the same moment; nothing names this copy yet, so it can go.
            await _repository.Store.DeleteAsync(_layout.PackKey(_packId), cancellationToken);
            return new ContentRef(sha.ToString(), size, 0);
        }

        return new ContentRef(sha.ToString(), size, stored + tableBytes);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await DiscardAsync();
        await base.DisposeAsync();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = CompressionProbe.Choose(_sample.AsSpan(0, _sampled), _repository.Envelope.ChunkSize);
        _upload = await _repository.Store.CreateAsync(_layout.PackKey(_packId), cancellationToken);
        _envelope = _repository.CreateEnvelope(_upload, options);
        await _envelope.WriteAsync(_sample.AsMemory(0, _sampled), cancellationToken);
    }

    // Disposing an upload that was not completed aborts it: nothing becomes visible.
    private async Task DiscardAsync()
    {
        if (_envelope is not null)
            await _envelope.DisposeAsync();
        if (_upload is not null)
            await _upload.DisposeAsync();
        _envelope = null;
        _upload = null;
    }
}
