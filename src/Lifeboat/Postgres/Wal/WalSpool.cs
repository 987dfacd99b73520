namespace Lifeboat.Postgres.Wal;

/// <summary>
/// The local directory where asynchronous archiving keeps its state: one status file per WAL file the background
/// pusher finished (stored, or failed and why) and the lock that lets only one pusher run per archive.
/// </summary>
/// <param name="Directory">The directory; created private to the user (PostgreSQL's OS user) on first use.</param>
public sealed record WalSpool(string Directory)
{
    private const string StoredSuffix = ".stored";
    private const string FailedSuffix = ".failed";

    /// <summary>
    /// The spool of one source's archive in one repository for one server's pg_wal, under <paramref name="root"/>: two
    /// clusters on one host (a misconfigured second one, a standby archiving too) never share verdicts.
    /// </summary>
    public static WalSpool For(string root, string repositoryId, string sourceName, string walDirectory)
    {
        var where = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(walDirectory))))[..12];
        return new(Path.Combine(root, $"{repositoryId}-{sourceName}-{where}"));
    }

    /// <summary>The file whose exclusive lock the running pusher holds.</summary>
    public string LockPath => Path.Combine(Directory, "pusher.lock");

    /// <summary>
    /// Creates the directory, private to its owner, and refuses one that others may write or read: a planted
    /// "stored" verdict would make archive_command report a segment archived that never was.
    /// </summary>
    public void Create()
    {
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        // Parents made by CreateDirectory follow the umask (0755 for a user at a shell), and the root is checked
        // below: created here, it is private whoever makes it first.
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Directory)!, Private);
        System.IO.Directory.CreateDirectory(Directory, Private);
        foreach (var directory in new[] { Path.GetDirectoryName(Directory)!, Directory })
        {
            if ((File.GetUnixFileMode(directory) & ~Private) != 0)
            {
                throw new LifeboatException(
                    $"the WAL spool directory '{directory}' may be read or written by other users",
                    $"chmod 700 '{directory}' as the user PostgreSQL runs as, or choose another spool directory");
            }
        }
    }

    /// <summary>Notes that <paramref name="fileName"/>, as <paramref name="stamp"/> describes it, is durably archived; written only after the push returned.</summary>
    public void MarkStored(string fileName, WalFileStamp stamp)
    {
        WriteAtomically(StatusPath(fileName, StoredSuffix), stamp.ToString());
        File.Delete(StatusPath(fileName, FailedSuffix));
    }

    /// <summary>Notes that pushing <paramref name="fileName"/> failed, with the line that says why.</summary>
    public void MarkFailed(string fileName, WalFileStamp stamp, string why) => WriteAtomically(StatusPath(fileName, FailedSuffix), stamp + "\n" + why);

    /// <summary>True when the pusher stored <paramref name="fileName"/> as <paramref name="stamp"/> describes it, and the status was not yet taken.</summary>
    public bool IsStored(string fileName, WalFileStamp stamp) => StampIn(StatusPath(fileName, StoredSuffix)) == stamp;

    /// <summary>
    /// Takes the pusher's verdict on <paramref name="fileName"/> as <paramref name="stamp"/> describes it, removing it
    /// so that a later request pushes again: true when stored, false when there is none yet; throws with the pusher's
    /// reason when it failed. A verdict about other bytes of that name is removed and does not count.
    /// </summary>
    public bool TakeVerdict(string fileName, WalFileStamp stamp)
    {
        var stored = StatusPath(fileName, StoredSuffix);
        if (File.Exists(stored))
        {
            var matches = StampIn(stored) == stamp;
            File.Delete(stored);
            if (matches)
                return true;
        }

        var failed = StatusPath(fileName, FailedSuffix);
        if (!File.Exists(failed))
            return false;
        var lines = ReadOrEmpty(failed).Split('\n', 2);
        File.Delete(failed);
        if (WalFileStamp.TryParse(lines[0]) != stamp)
            return false;
        var why = lines.Length == 2 ? lines[1] : "";
        throw new LifeboatException($"archiving {fileName} failed in the background: {why}", "PostgreSQL retries the file; if it keeps failing, push it in the foreground to see the error as it happens");
    }

    /// <summary>Removes the verdicts on files PostgreSQL no longer asks for (it went on after a lost reply, or was restarted).</summary>
    public void ForgetAllBut(IReadOnlySet<string> wanted, TimeSpan olderThan)
    {
        var cutoff = DateTime.UtcNow - olderThan;
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(path);
            var fileName = name.EndsWith(StoredSuffix, StringComparison.Ordinal) ? name[..^StoredSuffix.Length]
                : name.EndsWith(FailedSuffix, StringComparison.Ordinal) ? name[..^FailedSuffix.Length] : null;
            if (fileName is not null && !wanted.Contains(fileName) && File.GetLastWriteTimeUtc(path) < cutoff)
                File.Delete(path);
        }
    }

    private string StatusPath(string fileName, string suffix) => Path.Combine(Directory, fileName + suffix);

    private static WalFileStamp? StampIn(string path) => WalFileStamp.TryParse(ReadOrEmpty(path).Split('\n', 2)[0]);

    // A verdict may be taken (deleted) by the call it answers between a check and a read.
    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
