namespace Lifeboat.TestKit.Storage;

/// <summary>The calls of <see cref="Lifeboat.Storage.IObjectStore"/>, to count them and to choose which ones fail.</summary>
public enum StoreOperation
{
    /// <summary>ListAsync; its key is the prefix.</summary>
    List,

    /// <summary>OpenReadAsync.</summary>
    OpenRead,

    /// <summary>StatAsync.</summary>
    Stat,

    /// <summary>CreateAsync, the start of an upload, and TryCreateNewAsync: the writes.</summary>
    Create,

    /// <summary>DeleteAsync.</summary>
    Delete,

    /// <summary>EnsureCreatedAsync; its key is empty.</summary>
    EnsureCreated,

    /// <summary>RemoveAbandonedUploadsAsync; its key is empty.</summary>
    RemoveAbandonedUploads,
}
