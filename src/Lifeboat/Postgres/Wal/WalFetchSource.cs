namespace Lifeboat.Postgres.Wal;

/// <summary>Where the file restore_command asked for came from.</summary>
public enum WalFetchSource
{
    /// <summary>The background prefetcher had it: the repository was not read for it.</summary>
    Prefetched,

    /// <summary>It was fetched from the archive by this call.</summary>
    Archive,
}
