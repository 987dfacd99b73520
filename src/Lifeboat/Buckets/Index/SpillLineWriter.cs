using System.Buffers;

namespace Lifeboat.Buckets.Index;

/// <summary>Appends encoded lines to a private spill file through one reused buffer.</summary>
internal sealed class SpillLineWriter<T>(string path, ISpillCodec<T> codec) : IAsyncDisposable
{
    private const int FlushAt = 256 * 1024;
    private readonly FileStream _file = SpillDirectory.CreateFile(path);
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushAt + 4096);

    /// <summary>Items written.</summary>
    public long Count { get; private set; }

    /// <summary>Offset in the file where the next item's line will start.</summary>
    public long Position => _file.Position + _buffer.WrittenCount;

    /// <summary>Appends one item.</summary>
    public async ValueTask WriteAsync(T item, CancellationToken cancellationToken)
    {
        codec.Write(_buffer, item);
        Count++;
        if (_buffer.WrittenCount >= FlushAt)
            await FlushAsync(cancellationToken);
    }

    /// <summary>Writes what is buffered to the file.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _file.WriteAsync(_buffer.WrittenMemory, cancellationToken);
        _buffer.ResetWrittenCount();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync();
    }
}
