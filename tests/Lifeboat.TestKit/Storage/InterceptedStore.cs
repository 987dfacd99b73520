using Lifeboat.Storage;

namespace Lifeboat.TestKit.Storage;

/// <summary>A real store, passed through whole; a subclass overrides the calls it watches or breaks.</summary>
public class InterceptedStore(IObjectStore inner) : IObjectStore
{
    /// <inheritdoc />
    public string Location => inner.Location;

    /// <inheritdoc />
    public virtual Task EnsureCreatedAsync(CancellationToken cancellationToken) => inner.EnsureCreatedAsync(cancellationToken);

    /// <inheritdoc />
    public virtual Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken) => inner.CreateAsync(key, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> TryCreateNewAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        inner.TryCreateNewAsync(key, content, cancellationToken);

    /// <inheritdoc />
    public virtual Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken) =>
        inner.OpenReadAsync(key, range, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    /// <inheritdoc />
    public virtual Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken) => inner.StatAsync(key, cancellationToken);

    /// <inheritdoc />
    public virtual Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    /// <inheritdoc />
    public virtual Task<int> RemoveAbandonedUploadsAsync(TimeSpan idleFor, CancellationToken cancellationToken) =>
        inner.RemoveAbandonedUploadsAsync(idleFor, cancellationToken);

    /// <inheritdoc />
    public virtual Task<AbandonedUploads> FindAbandonedUploadsAsync(TimeSpan idleFor, CancellationToken cancellationToken) =>
        inner.FindAbandonedUploadsAsync(idleFor, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync() => inner.DisposeAsync();
}
