namespace Lifeboat.Postgres.Wal;

/// <summary>
/// The local directory where the background prefetcher of one recovery keeps the segments it fetched ahead, the
/// segment recovery asked for last, the archive identity the prefetcher fetches under, its lock and its log. A segment
/// file here is only ever one that <see cref="WalArchive.FetchAsync"/> wrote (authenticated, checked to be the segment
/// named, written whole) and the prefetcher then let in while it was still ahead of recovery.
/// </summary>
/// <param name="Directory">The directory; private to the user (PostgreSQL's OS user), as the segments are plain WAL.</param>
public sealed record WalPrefetchSpool(string Directory)
{
    private const string RequestFile = "requested";
    private const string InProgressSuffix = ".lifeboat-partial";
    private const string StagedSuffix = ".fetched";
    private const string IdentityFile = "archive-identity";
    private const int SegmentNameLength = 24;

    /// <summary>
    /// The spool of one source's archive in one repository (<paramref name="repositoryName"/>, a name that tells it from
    /// others) for one destination directory (the server's pg_wal) under <paramref name="root"/>: two recoveries on one
    /// host never hand each other segments.
    /// </summary>
    public static WalPrefetchSpool For(string root, string repositoryName, string sourceName, string destinationDirectory) =>
        new(WalSpool.For(root, repositoryName, sourceName, destinationDirectory).Directory + ".prefetch");

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
    /// Where the prefetcher fetches <paramref name="segment"/> to: not yet a segment of the spool, so that it holds only
    /// what <see cref="Promote"/> let in, never a fetch that finished after recovery moved past it.
    /// </summary>
    public string StagingPathOf(string segment) => Path.Combine(Directory, segment + StagedSuffix);

    /// <summary>Makes the fetched <paramref name="segment"/> one the spool holds, ready to be handed over.</summary>
    public void Promote(string segment) => File.Move(StagingPathOf(segment), PathOf(segment), overwrite: true);

    /// <summary>Removes the fetched <paramref name="segment"/> unpromoted (recovery went past it while it came).</summary>
    public void Discard(string segment) => DeleteIfThere(StagingPathOf(segment));

    /// <summary>Records the archive identity the running prefetcher fetches under; written after <see cref="Clear"/>.</summary>
    public void RecordIdentity(WalPrefetchIdentity identity)
    {
        var temporary = IdentityPath + InProgressSuffix;
        File.WriteAllText(temporary, identity.ToString());
        File.Move(temporary, IdentityPath, overwrite: true);
    }

    /// <summary>True when an identity is recorded.</summary>
    public bool HasRecordedIdentity => File.Exists(IdentityPath);

    /// <summary>The identity the running prefetcher recorded, or null when none did (yet).</summary>
    public WalPrefetchIdentity? RecordedIdentity()
    {
        try
        {
            return WalPrefetchIdentity.TryParse(File.ReadAllText(IdentityPath));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Removes every segment, staged or unfinished file and the recorded identity: what a prefetcher left behind is
    /// nothing the next one vouches for. The request, lock and log stay.
    /// </summary>
    public void Clear()
    {
        DeleteIfThere(IdentityPath);
        RemoveAllBut(new HashSet<string>(), new HashSet<string>());
    }

    /// <summary>
    /// Moves the prefetched <paramref name="segment"/> to <paramref name="destination"/> atomically: renamed next to it
    /// (copied when the spool is on another file system), checked against the identity the prefetcher recorded, made
    /// durable, then renamed into place. False when the spool does not hold it, it went while being taken, or no
    /// identity is recorded: the caller fetches it from the archive. Throws, having removed it, when the file is not
    /// that segment of the recorded archive.
    /// </summary>
    public bool TryHandOver(WalFileName segment, string destination)
    {
        if (RecordedIdentity() is not { } identity)
            return false;
        var temporary = destination + InProgressSuffix;
        try
        {
            File.Move(PathOf(segment.Text), temporary, overwrite: true);
        }
        catch (IOException)
        {
            DeleteIfThere(temporary);
            return false;
        }

        try
        {
            using (var file = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                CheckIsSegment(file, segment, identity);
                file.Flush(flushToDisk: true);
            }

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
    /// Removes every segment outside <paramref name="keep"/> and every staged or unfinished file of a segment not in
    /// <paramref name="inProgress"/> (left by a prefetcher that died): the spool never holds more than the segments
    /// ahead of recovery.
    /// </summary>
    public void RemoveAllBut(IReadOnlySet<string> keep, IReadOnlySet<string> inProgress)
    {
        foreach (var name in Entries())
        {
            // A segment's own files are its name, or its name and a suffix (staged, unfinished).
            if (name.Length < SegmentNameLength || WalFileName.TryParse(name[..SegmentNameLength]) is not { Kind: WalFileKind.Segment } segment)
                continue;
            var wanted = name.Length == SegmentNameLength ? keep.Contains(segment.Text) : inProgress.Contains(segment.Text);
            if (!wanted)
                DeleteIfThere(Path.Combine(Directory, name));
        }
    }

    private string IdentityPath => Path.Combine(Directory, IdentityFile);

    private static void CheckIsSegment(FileStream file, WalFileName segment, WalPrefetchIdentity identity)
    {
        var first = new byte[WalPageHeader.LongSize];
        var read = file.ReadAtLeast(first, first.Length, throwOnEndOfStream: false);
        if (new WalSegmentIdentity(segment, identity).Refusal(WalPageHeader.Read(first.AsSpan(0, read)), file.Length) is { } why)
        {
            throw new LifeboatException(
                $"the prefetched file '{segment}' is not that segment of the archive: {why}; it was removed from the spool",
                "nothing to do: the segment is fetched from the archive; if this recurs, remove the spool directory while recovery is stopped");
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
