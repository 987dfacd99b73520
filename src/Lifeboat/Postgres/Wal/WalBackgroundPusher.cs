using System.Collections.Concurrent;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// Asynchronous archiving, as pgBackRest's archive-push --async does it: one long-lived process per archive reads
/// ahead in pg_wal/archive_status, pushes several ready files at once, and leaves a verdict per file in the spool.
/// Each archive_command call then only waits for its own file's verdict, so a busy server is not bound by one
/// process start (and one key derivation) per segment. The durability promise is unchanged: a file is marked
/// stored only after its push returned.
/// </summary>
/// <param name="archive">Where the files go.</param>
/// <param name="spool">Where verdicts go.</param>
/// <param name="walDirectory">The server's pg_wal directory.</param>
/// <param name="parallel">How many files are pushed at once.</param>
/// <param name="idleExit">How long the pusher waits without a ready file before it exits.</param>
public sealed class WalBackgroundPusher(WalArchive archive, WalSpool spool, string walDirectory, int parallel, TimeSpan idleExit)
{
    // A file whose push failed is tried again after this, not in a tight loop; PostgreSQL asks again on its own.
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, DateTime> _failedAt = new();

    // Files this pusher stored: between a call taking its verdict and PostgreSQL marking the file done, the file is
    // still "ready"; it is marked stored again, at no cost, instead of being pushed a second time.
    // The stamp says which bytes were stored: a new file of the same name is pushed, not vouched for.
    private readonly ConcurrentDictionary<string, WalFileStamp> _stored = new();

    /// <summary>True while a pusher holds the spool's lock.</summary>
    public static bool IsRunning(WalSpool spool)
    {
        using var probe = TryLock(spool);
        return probe is null;
    }

    /// <summary>Pushes ready files until none has come for <c>idleExit</c>; returns at once when another pusher runs.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        spool.Create();
        using var held = TryLock(spool);
        if (held is null)
            return;
        var idleSince = DateTime.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            var ready = ReadyFiles();
            spool.ForgetAllBut(ready, TimeSpan.FromMinutes(1));
            foreach (var gone in _stored.Keys.Where(name => !ready.Contains(name)))
                _stored.TryRemove(gone, out _);
            foreach (var (name, stamp) in _stored.Where(stored => ready.Contains(stored.Key)))
                RemarkOrForget(name, stamp);
            var due = ready.Where(IsDue).Order(ArchiveOrder.Instance).Take(parallel * 4).ToList();
            if (due.Count == 0)
            {
                if (DateTime.UtcNow - idleSince > idleExit)
                    return;
                await Task.Delay(Poll, cancellationToken);
                continue;
            }

            var options = new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(due, options, PushOneAsync);
            idleSince = DateTime.UtcNow;
        }
    }

    private void RemarkOrForget(string fileName, WalFileStamp stamp)
    {
        if (WalFileStamp.Of(Path.Combine(walDirectory, fileName)) != stamp)
            _stored.TryRemove(fileName, out _);
        else if (!spool.IsStored(fileName, stamp))
            spool.MarkStored(fileName, stamp);
    }

    private bool IsDue(string fileName)
    {
        if (_stored.ContainsKey(fileName) || (_failedAt.TryGetValue(fileName, out var failed) && DateTime.UtcNow - failed <= RetryAfter))
            return false;
        return WalFileStamp.Of(Path.Combine(walDirectory, fileName)) is { } stamp && !spool.IsStored(fileName, stamp);
    }

    private async ValueTask PushOneAsync(string fileName, CancellationToken cancellationToken)
    {
        var path = Path.Combine(walDirectory, fileName);
        // Taken before reading: the verdict vouches for what was there when the push began.
        if (WalFileStamp.Of(path) is not { } stamp)
            return; // archived and removed meanwhile (PostgreSQL went on); nothing asks for it any more
        try
        {
            await archive.PushAsync(path, cancellationToken);
            _failedAt.TryRemove(fileName, out _);
            _stored[fileName] = stamp;
            spool.MarkStored(fileName, stamp);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever failed, the file gets a verdict and the pusher goes on: dying would only restart it every call.
            _failedAt[fileName] = DateTime.UtcNow;
            spool.MarkFailed(fileName, stamp, e.Message);
        }
    }

    /// <summary>The files PostgreSQL has marked ready for archiving.</summary>
    private HashSet<string> ReadyFiles()
    {
        const string Ready = ".ready";
        var status = Path.Combine(walDirectory, "archive_status");
        if (!Directory.Exists(status))
            return [];
        return Directory.EnumerateFiles(status, "*" + Ready)
            .Select(path => Path.GetFileName(path)[..^Ready.Length])
            .Where(name => WalFileName.TryParse(name) is not null)
            .ToHashSet(StringComparer.Ordinal);
    }

    private static FileStream? TryLock(WalSpool spool)
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

    /// <summary>History files first (a new timeline needs its history before its segments), then by name, as PostgreSQL archives.</summary>
    private sealed class ArchiveOrder : IComparer<string>
    {
        public static readonly ArchiveOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var xHistory = x!.EndsWith(".history", StringComparison.Ordinal);
            var yHistory = y!.EndsWith(".history", StringComparison.Ordinal);
            return xHistory != yHistory ? (xHistory ? -1 : 1) : string.CompareOrdinal(x, y);
        }
    }
}
