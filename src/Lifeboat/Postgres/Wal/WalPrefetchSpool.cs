namespace Lifeboat.Postgres.Wal;

/// <summary>
/// The local directory where the background prefetcher of one recovery keeps the segments it fetched ahead, the
/// segment recovery asked for last, its lock and its log. A segment file here is only ever one that
/// <see cref="WalArchive.FetchAsync"/> wrote: authenticated, checked to be the segment named, renamed into place whole.
/// </summary>
/// <param name="Directory">The directory; private to the user (PostgreSQL's OS user), as the segments are plain WAL.</param>
public sealed record WalPrefetchSpool(string Directory)
{
    private const string RequestFile = "requested";
    private const string InProgressSuffix = ".lifeboat-partial";

    /// <summary>
    /// The spool of one source's archive in one repository for one destination directory (the server's pg_wal) under
    /// <paramref name="root"/>: two recoveries on one host never hand each other segments.
    /// </summary>
    public static WalPrefetchSpool For(string root, string repositoryId, string sourceName, string destinationDirectory) =>
        new(WalSpool.For(root, repositoryId, sourceName, destinationDirectory).Directory + ".prefetch");

    /// <summary>The file whose exclusive lock the running prefetcher holds.</summary>
    public string LockPath => Path.Combine(Directory, "prefetcher.lock");

    /// <summary>Where the prefetcher writes what went wrong in the background.</summary>
    public string LogPath => Path.Combine(Directory, "prefetcher.log");

    /// <summary>Creates the directory and its parent, private to their owner, and refuses them when others may read or write them (as the push spool).</summary>
    public void Create()
    {
        // Made private here, not by the umask: run by hand, the umask is rarely PostgreSQL's 077.
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Directory)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        new WalSpool(Directory).Create();
    }

    /// <summary>The path a prefetched segment has in the spool.</summary>
    public string PathOf(string segment) => Path.Combine(Directory, segment);

    /// <summary>Notes that recovery asked for <paramref name="segment"/>: the prefetcher reads ahead of it, and its time keeps the prefetcher alive.</summary>
    public void Request(WalFileName segment)
    {
        var temporary = Path.Combine(Directory, $"{RequestFile}.{Environment.ProcessId}");
        File.WriteAllText(temporary, segment.Text);
        File.Move(temporary, Path.Combine(Directory, RequestFile), overwrite: true);
    }

    /// <summary>The segment recovery asked for last and when, or null when none was asked for (or the spool is gone).</summary>
    public (WalFileName Segment, DateTime At)? Requested()
    {
        var path = Path.Combine(Directory, RequestFile);
        try
        {
            var text = File.ReadAllText(path).Trim();
            return WalFileName.TryParse(text) is { Kind: WalFileKind.Segment } segment ? (segment, File.GetLastWriteTimeUtc(path)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>True while the directory exists: removed with the data directory, the prefetcher has nothing left to do.</summary>
    public bool Exists => System.IO.Directory.Exists(Directory);

    /// <summary>The segments fetched ahead and complete.</summary>
    public IReadOnlyList<string> Prefetched() =>
        Entries().Where(name => WalFileName.TryParse(name) is { Kind: WalFileKind.Segment }).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Moves the prefetched <paramref name="segment"/> to <paramref name="destination"/> atomically: renamed next to it
    /// (copied when the spool is on another file system), made durable, then renamed into place. False when the spool
    /// does not hold it, or it went while being taken: the caller fetches it from the archive.
    /// </summary>
    public bool TryHandOver(string segment, string destination)
    {
        var temporary = destination + InProgressSuffix;
        try
        {
            File.Move(PathOf(segment), temporary, overwrite: true);
        }
        catch (IOException)
        {
            DeleteIfThere(temporary);
            return false;
        }

        try
        {
            using (var file = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                file.Flush(flushToDisk: true);
            File.Move(temporary, destination, overwrite: true);
            return true;
        }
        catch
        {
            DeleteIfThere(temporary);
            throw;
        }
    }

    /// <summary>
    /// Removes every segment outside <paramref name="keep"/> and every unfinished file not in <paramref name="inProgress"/>
    /// (left by a prefetcher that died): the spool never holds more than the segments ahead of recovery.
    /// </summary>
    public void RemoveAllBut(IReadOnlySet<string> keep, IReadOnlySet<string> inProgress)
    {
        foreach (var name in Entries())
        {
            var segment = name.EndsWith(InProgressSuffix, StringComparison.Ordinal) ? name[..^InProgressSuffix.Length] : name;
            if (WalFileName.TryParse(segment) is null)
                continue;
            var wanted = segment == name ? keep.Contains(segment) : inProgress.Contains(segment);
            if (!wanted)
                File.Delete(Path.Combine(Directory, name));
        }
    }

    private static void DeleteIfThere(string path)
    {
        if (File.Exists(path))
            File.Delete(path);
    }

    private IEnumerable<string> Entries()
    {
        try
        {
            return System.IO.Directory.GetFiles(Directory).Select(path => Path.GetFileName(path));
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }
}
