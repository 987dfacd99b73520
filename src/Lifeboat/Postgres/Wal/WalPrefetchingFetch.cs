namespace Lifeboat.Postgres.Wal;

/// <summary>
/// restore_command's side of prefetching: hands over a segment the prefetcher already fetched, or fetches it directly,
/// never waiting for the background; either way it notes the request, which moves the prefetcher on, and starts the
/// prefetcher when none runs. History files and other names are always fetched directly.
/// </summary>
/// <param name="spool">Where prefetched segments are.</param>
/// <param name="fetchDirectly">Fetches a file from the archive to a destination (opening the repository only when called).</param>
/// <param name="startPrefetcher">Starts a background prefetcher process (the front end knows how to launch itself).</param>
public sealed class WalPrefetchingFetch(WalPrefetchSpool spool, Func<string, string, CancellationToken, Task> fetchDirectly, Action startPrefetcher)
{
    /// <summary>Writes <paramref name="fileName"/> to <paramref name="destination"/> atomically; throws as <see cref="WalArchive.FetchAsync"/> does.</summary>
    public async Task<WalFetchSource> FetchAsync(string fileName, string destination, CancellationToken cancellationToken)
    {
        if (WalFileName.TryParse(fileName) is not { Kind: WalFileKind.Segment } segment)
        {
            await fetchDirectly(fileName, destination, cancellationToken);
            return WalFetchSource.Archive;
        }

        spool.Create();
        // Taken before the request is noted: the request moves the prefetcher on, and it removes what recovery has passed.
        var handedOver = spool.TryHandOver(segment.Text, destination);
        spool.Request(segment);
        // Started before this call's own fetch, so that the next segments come in while this one does.
        if (!WalPrefetcher.IsRunning(spool))
            startPrefetcher();
        if (handedOver)
            return WalFetchSource.Prefetched;
        await fetchDirectly(fileName, destination, cancellationToken);
        return WalFetchSource.Archive;
    }
}
