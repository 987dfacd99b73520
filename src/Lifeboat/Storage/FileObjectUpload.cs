using System.Runtime.CompilerServices;

namespace Lifeboat.Storage;

/// <summary>An object being written to a temp file of a <see cref="FileObjectStore"/>; completing renames it into place.</summary>
internal sealed class FileObjectUpload(FileObjectStore store, string key, string tempPath, FileStream file) : ObjectUpload
{
    private readonly WriteBehind _writeBehind = new(file.SafeFileHandle);
    private bool _completed;
    private bool _disposed;

    public override string Key => key;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfNotWritable();
        file.Write(buffer);
        _writeBehind.Advance(file.Position);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfNotWritable();
        await file.WriteAsync(buffer, cancellationToken);
        _writeBehind.Advance(file.Position);
    }

    public override async Task CompleteAsync(CancellationToken cancellationToken)
    {
        ThrowIfNotWritable();
        await file.FlushAsync(cancellationToken);
        // The data must be on disk before the name points at it, or a crash could publish a torn file.
        file.Flush(flushToDisk: true);
        await file.DisposeAsync();
        store.Publish(tempPath, key);
        _completed = true;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await file.DisposeAsync();
        DiscardUnlessCompleted();
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            file.Dispose();
            DiscardUnlessCompleted();
        }

        base.Dispose(disposing);
    }

    private void DiscardUnlessCompleted()
    {
        if (_completed)
            return;
        try
        {
            File.Delete(tempPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp file is invisible garbage; failing the caller's cleanup for it would mask their error.
        }
    }

    private void ThrowIfNotWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
            throw new InvalidOperationException($"the upload of '{key}' is already complete");
    }
}
