using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

/// <summary>A real store, passed through whole; a test overrides the calls it watches or breaks.</summary>
internal class InterceptedStore(IObjectStore inner) : IObjectStore
{
    public string Location => inner.Location;

    public virtual Task EnsureCreatedAsync(CancellationToken cancellationToken) => inner.EnsureCreatedAsync(cancellationToken);

    public virtual Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken) => inner.CreateAsync(key, cancellationToken);

    public virtual Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken) =>
        inner.OpenReadAsync(key, range, cancellationToken);

    public virtual IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public virtual Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken) => inner.StatAsync(key, cancellationToken);

    public virtual Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public virtual Task<int> RemoveAbandonedUploadsAsync(TimeSpan idleFor, CancellationToken cancellationToken) =>
        inner.RemoveAbandonedUploadsAsync(idleFor, cancellationToken);

    public virtual ValueTask DisposeAsync() => inner.DisposeAsync();
}
