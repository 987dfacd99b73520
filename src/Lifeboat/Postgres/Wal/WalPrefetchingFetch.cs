namespace Lifeboat.Postgres.Wal;

/// <summary>
/// restore_command's side of prefetching: hands over a segment the prefetcher already fetched, or fetches it directly,
/// never waiting for the background; either way it notes the request, which moves the prefetcher on, and starts the
/// prefetcher when none runs. History files and other names are always fetched directly.
/// </summary>
/// <param name="spool">Where prefetched segments are.</param>
/// <param name="fetchDirectly">Fetches a file from the archive to a destination (opening the repository only when called).</param>
/// <param name="startPrefetcher">Starts a background prefetcher process (the front end knows how to launch itself).</param>
/// <param name="warn">Says, in one line, that prefetching failed for this call and the file is fetched directly.</param>
public sealed class WalPrefetchingFetch(
    WalPrefetchSpool spool, Func<string, string, CancellationToken, Task> fetchDirectly, Action startPrefetcher, Action<string> warn)
{
    /// <summary>
    /// Writes <paramref name="fileName"/> to <paramref name="destination"/> atomically; throws as
    /// <see cref="WalArchive.FetchAsync"/> does, and only then: a failure of the spool or the prefetcher is a warning.
    /// </summary>
    public async Task<WalFetchSource> FetchAsync(string fileName, string destination, CancellationToken cancellationToken)
    {
        if (WalFileName.TryParse(fileName) is { Kind: WalFileKind.Segment } segment && TryPrefetched(segment, destination))
            return WalFetchSource.Prefetched;
        await fetchDirectly(fileName, destination, cancellationToken);
        return WalFetchSource.Archive;
    }

    /// <summary>
    /// Hands over <paramref name="segment"/> when the running prefetcher has it, notes the request and starts a
    /// prefetcher when none runs. Prefetching only ever helps: whatever fails here (a spool others may write, a full
    /// disk, a prefetcher that cannot start) is one warning, and recovery goes on with the segment fetched directly.
    /// </summary>
    private bool TryPrefetched(WalFileName segment, string destination)
    {
        var handedOver = false;
        try
        {
            spool.Create();
            // A spool no prefetcher runs in was left by one that died: its segments came from an archive that may have
            // been reset since (or refilled by a new cluster under the same name), and knowing the archive's identity
            // now would cost a repository read per call. So only a running prefetcher's segments are handed over: it
            // cleared the spool when it started and recorded the identity it read then, which each hand-over checks
            // the segment's header against. A dead one's are removed here and never handed over.
            var running = WalPrefetcher.IsRunning(spool);
            if (running)
                handedOver = spool.TryHandOver(segment, destination); // taken before the request moves the prefetcher past it
            else
                spool.Clear();
            spool.Request(segment);
            // Started before this call's own fetch, so that the next segments come in while this one does.
            if (!running)
                startPrefetcher();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var hint = e is LifeboatException { Hint: { } remedy } ? $" hint: {remedy}" : "";
            warn($"prefetching failed ({e.Message}); {segment} {(handedOver ? "was handed over" : "is fetched directly")}.{hint}");
        }

        return handedOver;
    }
}
