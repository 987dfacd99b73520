namespace Lifeboat.Buckets.Target;

/// <summary>
/// Stored content of a known length, passed on so that no unverified byte can become visible: the read that would
/// hand over the last byte first reads on to the content's end, where stored content checks its length and SHA-256,
/// and fails instead of returning when they do not match. An upload fed from it is cut short, never completed.
/// </summary>
internal sealed class WithheldEndStream(string key, Stream content, long size) : Stream
{
    private long _delivered;
    private bool _emptyEndChecked;

    /// <summary>Why the content did not read back whole and verified; null while it has not failed.</summary>
    public ContentUnreadableException? Failure { get; private set; }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => _delivered;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0)
            return 0;
        if (_delivered == size)
        {
            // Empty content hands over no last byte to hold back, but its end must check out all the same.
            if (size == 0 && !_emptyEndChecked)
            {
                _emptyEndChecked = true;
                await CheckEndAsync(cancellationToken);
            }

            return 0;
        }

        var wanted = (int)Math.Min(buffer.Length, size - _delivered);
        var read = await GuardAsync(content.ReadAsync(buffer[..wanted], cancellationToken));
        if (read == 0)
            throw Fail(Damaged($"the stored content of '{key}' ended early"));
        _delivered += read;
        // These bytes include the last one: they go out only once the end has checked out.
        if (_delivered == size)
            await CheckEndAsync(cancellationToken);
        return read;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            content.Dispose();
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await content.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task CheckEndAsync(CancellationToken cancellationToken)
    {
        if (await GuardAsync(content.ReadAsync(new byte[1], cancellationToken)) != 0)
            throw Fail(Damaged($"the stored content of '{key}' holds more than the {size} bytes recorded"));
    }

    private static LifeboatException Damaged(string message) =>
        new(message, "the stored content is damaged") { Remedy = new(RemedyAction.CheckRepositoryData) };

    private async Task<int> GuardAsync(ValueTask<int> read)
    {
        try
        {
            return await read;
        }
        catch (LifeboatException e) when (e is not ContentUnreadableException)
        {
            throw Fail(e);
        }
    }

    private ContentUnreadableException Fail(LifeboatException cause)
    {
        Failure ??= new ContentUnreadableException(key, cause);
        return Failure;
    }
}
