namespace Lifeboat.TestKit.Storage;

/// <summary>How often each store operation was called, failed calls included, and how many objects the listings gave.</summary>
/// <remarks>A listing is one call however many pages the medium needs; <see cref="ObjectsListed"/> tells how far it went.</remarks>
public sealed record StoreCallCounts(
    int List,
    int OpenRead,
    int Stat,
    int Create,
    int Delete,
    int EnsureCreated,
    int RemoveAbandonedUploads,
    long ObjectsListed)
{
    /// <summary>No calls at all.</summary>
    public static StoreCallCounts None { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>All calls, of every operation.</summary>
    public int Total => List + OpenRead + Stat + Create + Delete + EnsureCreated + RemoveAbandonedUploads;

    /// <summary>The calls of one operation.</summary>
    public int Of(StoreOperation operation) => operation switch
    {
        StoreOperation.List => List,
        StoreOperation.OpenRead => OpenRead,
        StoreOperation.Stat => Stat,
        StoreOperation.Create => Create,
        StoreOperation.Delete => Delete,
        StoreOperation.EnsureCreated => EnsureCreated,
        StoreOperation.RemoveAbandonedUploads => RemoveAbandonedUploads,
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };
}
