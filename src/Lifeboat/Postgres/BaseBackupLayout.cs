using System.Globalization;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Postgres;

/// <summary>
/// Lays a base backup out as a data directory: the main archive into the data directory, each tablespace's archive
/// where the tablespace was on the server or where the map relocates it, with pg_tblspc/OID pointing at it. Every
/// directory is checked before anything is written (<see cref="Plan"/>); the files are unpacked confined to their
/// directory, kept to their owner and given to the OS user the server will run as.
/// </summary>
public sealed class BaseBackupLayout
{
    /// <summary>The role of a base backup's tar archives among its stored objects.</summary>
    public const string ArchiveRole = "base-tar";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const string TablespaceLinks = "pg_tblspc";

    // Written after the copy, and what makes the server recover at all: synced here, unlike the copy (FinishAsync).
    private static readonly string[] RecoveryFiles = ["postgresql.auto.conf", "recovery.signal"];

    private readonly BaseBackupInfo _info;
    private readonly RestoreDestination _destination;

    private BaseBackupLayout(BaseBackupInfo info, RestoreDestination destination, IReadOnlyList<TablespacePlacement> tablespaces)
    {
        _info = info;
        _destination = destination;
        Tablespaces = tablespaces;
    }

    /// <summary>Where each tablespace goes.</summary>
    public IReadOnlyList<TablespacePlacement> Tablespaces { get; }

    private string DataDirectory => _destination.DataDirectory;

    private OsUser? Owner => _destination.Owner.GiveFiles ? _destination.Owner.User : null;

    /// <summary>
    /// Checks, writing nothing, that the backup can be laid out at <paramref name="destination"/>: the map names only
    /// tablespaces the backup has; no two directories overlap; the data directory and each relocated tablespace's
    /// directory are empty or may be emptied; a tablespace restored where it was is empty, since it is never emptied.
    /// </summary>
    public static BaseBackupLayout Plan(BaseBackupInfo info, RestoreDestination destination)
    {
        destination = destination with { DataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination.DataDirectory)) };
        CheckMapNamesTablespaces(info, destination.TablespaceMap);
        var tablespaces = info.Tablespaces
            .Where(t => t.Oid is not null)
            .Select(t => Place(t, destination.TablespaceMap))
            .ToList();
        CheckApart(destination.DataDirectory, tablespaces);
        CheckEmptyOrReplaceable(destination.DataDirectory, destination.Force, IsDataDirectory);
        foreach (var tablespace in tablespaces)
        {
            if (tablespace.Relocated)
                CheckEmptyOrReplaceable(tablespace.Directory, destination.Force, IsTablespaceDirectory);
            else
                CheckEmptyInPlace(tablespace);
        }

        return new BaseBackupLayout(info, destination, tablespaces);
    }

    /// <summary>Empties and makes the directories, then unpacks each of <paramref name="backup"/>'s archives into its own.</summary>
    public async Task LayOutAsync(BackupRepository repository, BackupManifest backup, IActivityReporter reporter, CancellationToken cancellationToken)
    {
        PrepareDirectories();
        foreach (var stored in backup.Objects.Where(o => o.Role == ArchiveRole))
        {
            await using var input = await repository.OpenObjectAsync(stored, cancellationToken);
            await ExtractAsync(Path.GetFileName(stored.Key), input, cancellationToken);
        }

        EnsureTablespaceLinks();
        foreach (var tablespace in Tablespaces)
        {
            reporter.Event(tablespace.Relocated
                ? $"tablespace {tablespace.Oid} relocated from {tablespace.Location} to {tablespace.Directory} ({TablespaceLinks}/{tablespace.Oid} points there)"
                : $"tablespace {tablespace.Oid} restored where it was, in {tablespace.Directory}");
        }
    }

    /// <summary>
    /// Once the recovery settings are written: the configuration files the backup lacked, and the recovery files
    /// kept to their owner, given to the server's user and synced with the data directory's entries.
    /// </summary>
    /// <remarks>
    /// The unpacked files are not synced one by one. PostgreSQL 15's StartupXLOG calls SyncDataDirectory() whenever
    /// pg_control does not say the cluster was shut down cleanly, and a base backup's never does (it is a copy of a
    /// running server's), so the server's first start makes the whole directory durable, tablespaces included, before
    /// recovery begins. What must not be lost before that start is what makes it recover at all.
    /// </remarks>
    public async Task FinishAsync(IActivityReporter reporter, CancellationToken cancellationToken)
    {
        var written = await ServerConfigFiles.WriteMissingAsync(DataDirectory, _destination.Owner.User.Name, cancellationToken);
        if (written.Count > 0)
        {
            reporter.Warning(
                $"the backup holds no {string.Join(", ", written)}: its cluster kept them outside the data directory, as Debian's packages do; " +
                $"wrote minimal ones in {DataDirectory} (PostgreSQL's defaults, and only local socket connections by '{_destination.Owner.User.Name}', peer): " +
                $"copy your own from /etc/postgresql/{MajorVersion(_info.ServerVersion)}/<cluster>/ if you need them");
        }

        foreach (var name in RecoveryFiles.Concat(written))
        {
            var path = Path.Combine(DataDirectory, name);
            if (!File.Exists(path))
                continue;
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            file.Flush(flushToDisk: true);
        }

        foreach (var directory in Tablespaces.Select(t => t.Directory).Append(DataDirectory))
            GiveTreeToOwner(directory);
        DirectorySync.Flush(DataDirectory);
    }

    /// <summary>
    /// Gives a whole tree to the server's user in one pass at the end, children before their directory: until then
    /// every directory is root's alone (0700), so the server's user cannot swap a directory for a link while root
    /// writes through it. Links are given, never followed.
    /// </summary>
    private void GiveTreeToOwner(string directory)
    {
        if (Owner is null)
            return;
        CheckStillOurs(directory);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            var attributes = File.GetAttributes(entry);
            if (attributes.HasFlag(FileAttributes.Directory) && !attributes.HasFlag(FileAttributes.ReparsePoint))
                GiveTreeToOwner(entry);
            else
                GiveToOwner(entry);
        }

        GiveToOwner(directory);
    }

    /// <summary>Empties what may be emptied, and makes each directory the owner's alone (PostgreSQL refuses a data directory others may read).</summary>
    internal void PrepareDirectories()
    {
        var replaceable = Tablespaces.Where(t => t.Relocated).Select(t => t.Directory).Prepend(DataDirectory).ToHashSet(StringComparer.Ordinal);
        foreach (var directory in Tablespaces.Select(t => t.Directory).Prepend(DataDirectory))
        {
            if (replaceable.Contains(directory))
                Empty(directory);
            // Missing parents get the usual mode, so that the server's user can pass through them.
            Directory.CreateDirectory(Path.GetDirectoryName(directory)!);
            Directory.CreateDirectory(directory, OwnerOnly);
            File.SetUnixFileMode(directory, OwnerOnly);
        }
    }

    /// <summary>Unpacks the archive named <paramref name="archiveName"/> into its directory.</summary>
    internal async Task ExtractAsync(string archiveName, Stream archive, CancellationToken cancellationToken)
    {
        var tablespace = _info.Tablespaces.SingleOrDefault(t => t.Archive == archiveName)
            ?? throw new LifeboatException($"the base backup holds an archive {archiveName} its record does not list", "the backup is damaged or was tampered with: restore from another backup");
        var extractor = tablespace.Oid is { } oid
            ? new ConfinedTarExtractor(Tablespaces.Single(t => t.Oid == oid).Directory, archiveName)
            : new ConfinedTarExtractor(DataDirectory, archiveName, LinkTargetInDataDirectory);
        await extractor.ExtractAsync(archive, cancellationToken);
    }

    // The backup names each tablespace's directory by a link pg_tblspc/OID; it points where the tablespace goes now.
    // (BASE_BACKUP is asked for no tablespace_map file, which would make the server put the links back where they were.)
    private string LinkTargetInDataDirectory(string name, string recorded)
    {
        if (Path.GetDirectoryName(name) != TablespaceLinks)
            return recorded;
        return uint.TryParse(Path.GetFileName(name), NumberStyles.None, CultureInfo.InvariantCulture, out var oid) && Tablespaces.SingleOrDefault(t => t.Oid == oid) is { } tablespace
            ? tablespace.Directory
            : throw new LifeboatException(
                $"the base backup's main archive holds the tablespace link '{name}', but the backup records no such tablespace",
                "the backup is damaged or was tampered with: restore from another backup");
    }

    /// <summary>Links each tablespace the main archive left without one (it normally holds them all).</summary>
    internal void EnsureTablespaceLinks()
    {
        foreach (var tablespace in Tablespaces)
        {
            var link = Path.Combine(DataDirectory, TablespaceLinks, tablespace.Oid.ToString(CultureInfo.InvariantCulture));
            if (new FileInfo(link).LinkTarget is not null || Path.Exists(link))
                continue;
            File.CreateSymbolicLink(link, tablespace.Directory);
        }
    }

    // Everything this restore made is this process's until the end; a directory that is a link now, or someone else's,
    // was swapped in by a user who can write its parent, and walking it would give away what it points to.
    private static void CheckStillOurs(string directory)
    {
        if (new DirectoryInfo(directory).LinkTarget is null && FileOwnership.OwnerOf(directory) == OsUser.Current.Uid)
            return;
        throw new LifeboatException(
            $"'{directory}' is no longer the directory this restore made (it is now a link or another user's): someone who can write its parent replaced it; nothing in it was given away",
            "restore into a directory whose parent only root can write, then move it into place");
    }

    private void GiveToOwner(string path)
    {
        if (Owner is { } owner)
            FileOwnership.GiveTo(path, owner);
    }

    private static TablespacePlacement Place(BaseBackupTablespaceInfo tablespace, IReadOnlyDictionary<uint, string> map)
    {
        var oid = tablespace.Oid!.Value;
        var location = tablespace.Location!;
        var directory = map.TryGetValue(oid, out var mapped) ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(mapped)) : location;
        return new TablespacePlacement(oid, tablespace.Archive, directory, location, directory != location);
    }

    private static void CheckMapNamesTablespaces(BaseBackupInfo info, IReadOnlyDictionary<uint, string> map)
    {
        var known = info.Tablespaces.Where(t => t.Oid is not null).ToList();
        foreach (var oid in map.Keys.Where(oid => known.All(t => t.Oid != oid)))
        {
            var has = known.Count == 0
                ? "it has none besides the data directory"
                : "its tablespaces are " + string.Join(", ", known.Select(t => $"{t.Oid} (at {t.Location})"));
            throw new LifeboatException($"the base backup has no tablespace {oid}: {has}; nothing was written", "relocate only the backup's tablespaces, by OID", FailureKind.Usage);
        }
    }

    /// <summary>
    /// The data directory and each tablespace need a directory of their own; a relocated tablespace must not land in
    /// any tablespace's directory on the server, which on the server's own host is the running cluster's.
    /// </summary>
    private static void CheckApart(string dataDirectory, IReadOnlyList<TablespacePlacement> tablespaces)
    {
        var places = tablespaces.Select(t => (What: $"tablespace {t.Oid}", t.Directory)).Prepend((What: "the data directory", Directory: dataDirectory)).ToList();
        for (var i = 0; i < places.Count; i++)
        {
            for (var j = i + 1; j < places.Count; j++)
            {
                if (Overlap(places[i].Directory, places[j].Directory))
                    throw Apart($"{places[i].What} ({places[i].Directory}) and {places[j].What} ({places[j].Directory}) overlap");
            }
        }

        foreach (var relocated in tablespaces.Where(t => t.Relocated))
        {
            if (tablespaces.FirstOrDefault(t => Overlap(relocated.Directory, t.Location)) is { } other)
                throw Apart($"tablespace {relocated.Oid} would be restored into {relocated.Directory}, which overlaps where tablespace {other.Oid} was on the server ({other.Location})");
        }
    }

    private static LifeboatException Apart(string what) =>
        new($"{what}; nothing was written", "give the data directory and each tablespace a directory of its own", FailureKind.Usage);

    private static bool Overlap(string a, string b) =>
        a == b || a.StartsWith(b + Path.DirectorySeparatorChar, StringComparison.Ordinal) || b.StartsWith(a + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static bool IsEmpty(string directory) => !Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any();

    /// <summary>
    /// A non-empty directory is replaced only with force, and only when it is what it is replaced with: a mistyped or
    /// empty variable must not empty '/', a home or a repository (pgBackRest's --delta asks the same of a data directory).
    /// </summary>
    private static void CheckEmptyOrReplaceable(string directory, bool force, Func<string, bool> isReplaceable)
    {
        if (IsEmpty(directory))
            return;
        // Said first: --force would not help here, so it must not be the hint.
        if (!isReplaceable(directory))
        {
            throw new LifeboatException(
                $"'{directory}' is not empty and is not a PostgreSQL {(isReplaceable == IsDataDirectory ? "data directory (it has no PG_VERSION)" : "tablespace directory (it holds more than PG_* directories)")}, so even a forced restore would not empty it; nothing was written",
                "empty it yourself if its content may go, or choose another directory",
                FailureKind.Usage);
        }

        if (!force)
        {
            throw new LifeboatException($"'{directory}' is not empty; nothing was written", kind: FailureKind.Usage)
            {
                Remedy = new(RemedyAction.EmptyDirectoryOrReplace),
            };
        }

        if (File.Exists(Path.Combine(directory, "postmaster.pid")))
            throw new LifeboatException($"'{directory}' holds postmaster.pid: a server may be running on it; nothing was written", "stop that server first", FailureKind.Usage);
    }

    private static bool IsDataDirectory(string directory) => File.Exists(Path.Combine(directory, "PG_VERSION"));

    // A tablespace's directory holds one PG_<major>_<catalog version> directory per server version that used it.
    private static bool IsTablespaceDirectory(string directory) =>
        Directory.EnumerateFileSystemEntries(directory).All(entry => Path.GetFileName(entry).StartsWith("PG_", StringComparison.Ordinal) && Directory.Exists(entry));

    private static void CheckEmptyInPlace(TablespacePlacement tablespace)
    {
        if (IsEmpty(tablespace.Directory))
            return;
        throw new LifeboatException(
            $"tablespace {tablespace.Oid} is restored where it was, in '{tablespace.Directory}', which is not empty; a tablespace restored in place is never emptied, since on the server's own host it is the running cluster's; nothing was written",
            kind: FailureKind.Usage)
        {
            Remedy = new(RemedyAction.RelocateTablespace, tablespace.Oid.ToString(CultureInfo.InvariantCulture)),
        };
    }

    // Only ever called on a directory Plan allowed to be emptied. Links are removed, never followed.
    private static void Empty(string directory)
    {
        if (!Directory.Exists(directory))
            return;
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
                Directory.Delete(entry, recursive: true);
            else
                File.Delete(entry);
        }
    }

    private static string MajorVersion(string serverVersion) =>
        new string(serverVersion.TakeWhile(char.IsAsciiDigit).ToArray()) is { Length: > 0 } major ? major : serverVersion;
}
