namespace Lifeboat.Storage;

/// <summary>Where the repository's bytes live: a tiny, medium-independent object store.</summary>
/// <remarks>
/// Keys are relative, '/'-separated, never start or end with '/', and contain no empty, "." or ".."
/// segments (<see cref="ObjectKey"/> checks them). Contracts every medium must honour (the conformance
/// suite checks them): an object appears whole or not at all; listings come in ascending order of the
/// keys' UTF-8 bytes (S3's order); deleting a missing object succeeds; reading a missing object throws
/// <see cref="ObjectNotFoundException"/> and stat-ing one returns null; a missing container (directory
/// or bucket) is an error naming it, never an empty repository. A store is safe to use from many tasks
/// at once; each <see cref="ObjectUpload"/> and read stream belongs to one task.
/// </remarks>
public interface IObjectStore : IAsyncDisposable
{
    /// <summary>Where the store points, for messages (never contains secrets).</summary>
    string Location { get; }

    /// <summary>Creates the container (directory or bucket) if it does not exist yet; 'lifeboat init' calls it.</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken);

    /// <summary>Starts writing an object; nothing is visible under <paramref name="key"/> until <see cref="ObjectUpload.CompleteAsync"/>.</summary>
    Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a small object whole, and only if no object has <paramref name="key"/>: true when this call created it,
    /// false when one existed already (it is left as it was). Atomic against every other writer of the key, so of
    /// writers racing to create one key exactly one gets true.
    /// </summary>
    /// <remarks>
    /// A write retried after a lost reply may find the object its own first attempt created, and then says false:
    /// a caller that must know whose object it is reads it. S3 sends it as a PutObject with <c>If-None-Match: *</c>;
    /// a server that ignores that header overwrites and says true, which only a caller's own check can notice.
    /// </remarks>
    Task<bool> TryCreateNewAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Opens an object for streaming reads, optionally only a byte range of it.</summary>
    /// <remarks>A range is clipped to the object's end; one starting at or past the end reads nothing.</remarks>
    /// <exception cref="ObjectNotFoundException">when no object has that key.</exception>
    Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken);

    /// <summary>Lists objects whose keys start with <paramref name="prefix"/>, in ascending key order, page by page.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Returns the size and time of an object, or null when it does not exist.</summary>
    Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes an object; succeeds when it does not exist.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Removes uploads that were never completed nor disposed (their process died) and have not been
    /// written to for <paramref name="idleFor"/>: temp files, or S3 multipart uploads and their parts.
    /// They are invisible but cost space; prune calls this. Returns how many were removed.
    /// </summary>
    Task<int> RemoveAbandonedUploadsAsync(TimeSpan idleFor, CancellationToken cancellationToken);

    /// <summary>
    /// The uploads <see cref="RemoveAbandonedUploadsAsync"/> would remove now, left in place: how many there are and
    /// the bytes they hold. A preflight check reports them without changing the store.
    /// </summary>
    Task<AbandonedUploads> FindAbandonedUploadsAsync(TimeSpan idleFor, CancellationToken cancellationToken);
}

/// <summary>One object as a listing or stat reports it.</summary>
public sealed record ObjectInfo(string Key, long Size, DateTimeOffset LastModified);

/// <summary>A byte range: <paramref name="Offset"/> and, when given, <paramref name="Length"/> bytes from there.</summary>
public readonly record struct ByteRange(long Offset, long? Length = null);

/// <summary>Thrown when a key names no object.</summary>
public sealed class ObjectNotFoundException : LifeboatException
{
    /// <summary>Creates the error for <paramref name="key"/> in the store at <paramref name="location"/>.</summary>
    public ObjectNotFoundException(string key, string location)
        : base($"object '{key}' does not exist in {location}", "check the repository URL")
    {
        Key = key;
        Remedy = new(RemedyAction.FindMissingObjects);
    }

    /// <summary>The missing key.</summary>
    public string Key { get; }
}

/// <summary>
/// An object being written. Write to it as a stream, then call <see cref="CompleteAsync"/>;
/// disposing it without completing discards everything written. Flushing does nothing: nothing is
/// durable before <see cref="CompleteAsync"/>, so an intermediate flush would promise nothing.
/// </summary>
public abstract class ObjectUpload : WriteOnlyStream
{
    /// <summary>The key the object will have once complete.</summary>
    public abstract string Key { get; }

    /// <summary>Makes the object durable and visible, atomically.</summary>
    public abstract Task CompleteAsync(CancellationToken cancellationToken);
}
