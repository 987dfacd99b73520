namespace Lifeboat.Postgres.Wal;

/// <summary>
/// Prefetching for recovery, as pgBackRest's asynchronous archive-get and WAL-G's prefetch do it: one long-lived process
/// per recovery fetches the segments after the one recovery asked for last, several at once, into the spool, where
/// restore_command finds them without reading the repository or deriving the key. It only ever helps: restore_command
/// never waits for it, and a segment it could not fetch is fetched (and its failure reported) in the foreground.
/// </summary>
/// <param name="archive">Where the segments come from.</param>
/// <param name="spool">Where they go, and where recovery's requests are.</param>
/// <param name="settings">How far ahead, how many at once, how long without a request.</param>
public sealed class WalPrefetcher(WalArchive archive, WalPrefetchSpool spool, WalPrefetchSettings settings)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    // A segment that failed for another reason (the repository unreachable) is tried again after this, not in a loop.
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    // IsRunning probes by taking the lock for an instant: a prefetcher starting in that instant waits it out, rather
    // than leave recovery without one. Long enough for any probe, short for a second prefetcher that lost the race.
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, Task<Fetched>> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _failedAt = new(StringComparer.Ordinal);

    // Segments this prefetcher kept: gone from the spool, one was taken by restore_command, and is not fetched again.
    private readonly HashSet<string> _kept = new(StringComparer.Ordinal);
    private long _segmentSize = WalFileName.DefaultSegmentSize;
    private WalPrefetchIdentity? _identity;
    private WalFileName? _requested;

    // The first segment after the request that the archive lacks or holds damaged: nothing past it is asked for.
    private ulong? _end;

    private enum Fetched
    {
        Kept,
        Missing,
        Damaged,
        Failed,
    }

    /// <summary>True while a prefetcher holds the spool's lock (probed by taking it for an instant, which a starting prefetcher waits out).</summary>
    public static bool IsRunning(WalPrefetchSpool spool)
    {
        using var probe = TryLock(spool);
        return probe is null;
    }

    /// <summary>
    /// Fetches ahead of recovery until nothing was asked for within the idle time, then empties the spool; returns when
    /// the spool is removed (with the data directory), and soon when another prefetcher runs or the archive is empty.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        spool.Create();
        using var held = await TakeLockAsync(cancellationToken);
        if (held is null)
            return;
        try
        {
            // A prefetcher that was killed left its segments, fetched from an archive that may since have been reset or
            // refilled by another cluster: nothing is handed over that this one did not fetch under the identity it records.
            spool.Clear();
            if (await archive.IdentityAsync(cancellationToken) is not { } identity)
            {
                Log("the archive holds no WAL yet: nothing to fetch ahead");
                return;
            }

            _segmentSize = identity.SegmentSize;
            _identity = WalPrefetchIdentity.Of(identity);
            spool.RecordIdentity(_identity);
            while (!cancellationToken.IsCancellationRequested && spool.Exists && !IsIdle())
                await TurnAsync(cancellationToken);
        }
        finally
        {
            await Task.WhenAll(_running.Values);
            if (spool.Exists)
                spool.Clear();
        }
    }

    private bool IsIdle() => _running.Count == 0 && (spool.Requested() is not { } request || DateTime.UtcNow - request.At > settings.IdleExit);

    private async Task TurnAsync(CancellationToken cancellationToken)
    {
        try
        {
            // restore_command clears a spool it finds no prefetcher in; one that started just after it looked records again.
            if (!spool.HasRecordedIdentity)
                spool.RecordIdentity(_identity!);
            var window = Window();
            var keep = window.Select(name => name.Text).ToHashSet(StringComparer.Ordinal);
            spool.RemoveAllBut(keep, _running.Keys.ToHashSet(StringComparer.Ordinal));
            _kept.IntersectWith(keep);
            StartDue(window, cancellationToken);
            await Task.WhenAny(_running.Values.Append(Task.Delay(Poll, cancellationToken)));
            Collect(keep);
        }
        catch (IOException e) when (spool.Exists)
        {
            Log($"the spool could not be read or tidied: {e.Message}");
            await Task.Delay(RetryAfter, cancellationToken);
        }
        catch (IOException)
        {
            // The spool went (its data directory was removed): the loop ends.
        }
    }

    /// <summary>The segments after the one asked for last on its timeline, as many as the spool may hold.</summary>
    private List<WalFileName> Window()
    {
        if (spool.Requested() is not { Segment: var requested })
            return [];
        if (requested != _requested)
        {
            // Recovery moved on: what was missing may have been archived since, and a damaged segment is now its to report.
            _requested = requested;
            _end = null;
        }

        var first = requested.Number(_segmentSize) + 1;
        return Enumerable.Range(0, settings.Ahead)
            .Select(offset => WalFileName.OfNumber(requested.Timeline, first + (ulong)offset, _segmentSize))
            .ToList();
    }

    private void StartDue(List<WalFileName> window, CancellationToken cancellationToken)
    {
        var present = spool.Prefetched().ToHashSet(StringComparer.Ordinal);
        foreach (var segment in window)
        {
            if (_running.Count >= settings.Parallel || segment.Number(_segmentSize) >= _end)
                return;
            if (!present.Contains(segment.Text) && !_kept.Contains(segment.Text) && !_running.ContainsKey(segment.Text) && !RecentlyFailed(segment.Text))
                _running[segment.Text] = FetchAsync(segment, cancellationToken);
        }
    }

    private bool RecentlyFailed(string segment) => _failedAt.TryGetValue(segment, out var at) && DateTime.UtcNow - at < RetryAfter;

    /// <summary>
    /// Takes in the fetches that finished: a segment enters the spool only when it is still in <paramref name="window"/>,
    /// which every segment there is in, so that the spool never holds more than the window, even for a moment.
    /// </summary>
    private void Collect(IReadOnlySet<string> window)
    {
        foreach (var (text, task) in _running.Where(pair => pair.Value.IsCompleted).ToList())
        {
            _running.Remove(text);
            var outcome = task.Result;
            if (outcome == Fetched.Kept)
                Admit(text, window);
            if (outcome == Fetched.Failed)
                _failedAt[text] = DateTime.UtcNow;
            else
                _failedAt.Remove(text);
            var segment = WalFileName.TryParse(text)!;
            if (outcome is Fetched.Missing or Fetched.Damaged && IsAhead(segment))
                _end = Math.Min(_end ?? ulong.MaxValue, segment.Number(_segmentSize));
        }
    }

    private void Admit(string segment, IReadOnlySet<string> window)
    {
        if (!window.Contains(segment))
        {
            spool.Discard(segment); // recovery went past it while it came
            return;
        }

        spool.Promote(segment);
        _kept.Add(segment);
    }

    // A verdict on a segment recovery has already passed says nothing about what lies ahead of it now.
    private bool IsAhead(WalFileName segment) =>
        _requested is { } requested && segment.Timeline == requested.Timeline && segment.Number(_segmentSize) > requested.Number(_segmentSize);

    private async Task<Fetched> FetchAsync(WalFileName segment, CancellationToken cancellationToken)
    {
        try
        {
            await archive.FetchAsync(segment.Text, spool.StagingPathOf(segment.Text), cancellationToken);
            return Fetched.Kept;
        }
        catch (WalFileMissingException)
        {
            return Fetched.Missing; // the end of the archive, for now
        }
        catch (LifeboatException e) when (e is Format.EnvelopeCorruptException or Repository.DamagedRecordException)
        {
            // FetchAsync left nothing behind; restore_command fetches it itself and stops recovery with the error.
            Log($"{segment} is damaged in the archive and was not kept: {e.Message}");
            return Fetched.Damaged;
        }
        catch (Exception e)
        {
            if (!cancellationToken.IsCancellationRequested)
                Log($"fetching {segment} ahead failed: {e.Message}");
            return Fetched.Failed;
        }
    }

    private void Log(string line)
    {
        try
        {
            File.AppendAllText(spool.LogPath, $"{DateTime.UtcNow:O} {line}{Environment.NewLine}");
        }
        catch (IOException)
        {
            // The log is a courtesy: a spool removed under the prefetcher ends it at the next turn anyway.
        }
    }

    private async Task<FileStream?> TakeLockAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            if (TryLock(spool) is { } held)
                return held;
            if (DateTime.UtcNow >= deadline)
                return null;
            await Task.Delay(Poll, cancellationToken);
        }
    }

    private static FileStream? TryLock(WalPrefetchSpool spool)
    {
        try
        {
            // FileShare.None takes an exclusive flock on Unix: released by the kernel when the process ends, however it ends.
            return new FileStream(spool.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
