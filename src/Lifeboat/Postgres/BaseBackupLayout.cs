using System.Globalization;
using System.Text;
using Lifeboat.IO;
using Lifeboat.Repository;

namespace Lifeboat.Postgres;

/// <summary>
/// Lays a base backup out as a data directory: the main archive into the data directory, each tablespace's archive
/// where the tablespace was on the server or where the map relocates it, with pg_tblspc/OID pointing at it. Every
/// directory is checked before anything is written (<see cref="Plan(BaseBackupInfo, RestoreDestination)"/>); the files are unpacked confined to their
/// directory, kept to their owner and given to the OS user the server will run as.
/// </summary>
/// <remarks>
/// Each directory is reached from '/' without following a link another user controls, opened when it is checked and held
/// from then on (<see cref="HeldDirectory"/>): run as root into a directory whose parent the server's user can write,
/// that user may rename the directory and put a link in its place, but every check, every write, every removal and the
/// final hand-over go through the held descriptor, never through the path again.
/// </remarks>
public sealed class BaseBackupLayout : IDisposable
{
    /// <summary>The role of a base backup's tar archives among its stored objects.</summary>
    public const string ArchiveRole = "base-tar";

    private const string TablespaceLinks = "pg_tblspc";

    // Written after the copy, and what makes the server recover at all: synced here, unlike the copy (FinishAsync).
    private static readonly string[] RecoveryFiles = ["postgresql.auto.conf", "recovery.signal"];

    private readonly BaseBackupInfo _info;
    private readonly RestoreDestination _destination;

    // Each directory opened when it was checked, data directory first (null: nothing was there); taken, or made, when
    // prepared. Held from the check on, so that what the check looked into is what is written into.
    private readonly List<(string Directory, HeldDirectory? Found)> _checked;
    private readonly Dictionary<string, HeldDirectory> _held = new(StringComparer.Ordinal);

    private BaseBackupLayout(BaseBackupInfo info, RestoreDestination destination, IReadOnlyList<TablespacePlacement> tablespaces, List<(string, HeldDirectory?)> found)
    {
        _info = info;
        _destination = destination;
        Tablespaces = tablespaces;
        _checked = found;
    }

    /// <summary>Where each tablespace goes.</summary>
    public IReadOnlyList<TablespacePlacement> Tablespaces { get; }

    private string DataDirectory => _destination.DataDirectory;

    /// <summary>Where the data directory is, once prepared: its path from '/' with every symbolic link in it resolved.</summary>
    public string ResolvedDataDirectory => Held(DataDirectory).ResolvedPath;

    // Where the path-based file API reaches the held data directory; everything beneath it is this process's alone.
    private string HeldDataDirectory => Held(DataDirectory).HandlePath;

    private OsUser? Owner => _destination.Owner.GiveFiles ? _destination.Owner.User : null;

    /// <summary>
    /// Checks, writing nothing, that the backup can be laid out at <paramref name="destination"/>: the map names only
    /// tablespaces the backup has; no two directories overlap; none is a symbolic link or lies in, holds or is a
    /// directory of a PostgreSQL server running on this host; the data directory and each relocated tablespace's
    /// directory are empty or may be emptied; a tablespace restored where it was is empty, since it is never emptied.
    /// </summary>
    public static BaseBackupLayout Plan(BaseBackupInfo info, RestoreDestination destination) => Plan(info, destination, RunningCluster.FindAll());

    /// <summary><see cref="Plan(BaseBackupInfo, RestoreDestination)"/> with the servers running on this host given.</summary>
    internal static BaseBackupLayout Plan(BaseBackupInfo info, RestoreDestination destination, IReadOnlyList<RunningCluster> running)
    {
        destination = destination with { DataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination.DataDirectory)) };
        CheckMapNamesTablespaces(info, destination.TablespaceMap);
        var tablespaces = info.Tablespaces
            .Where(t => t.Oid is not null)
            .Select(t => Place(t, destination.TablespaceMap))
            .ToList();
        CheckApart(destination.DataDirectory, tablespaces);
        var found = new List<(string, HeldDirectory?)>();
        try
        {
            var dataDirectory = FoundDirectory(destination.DataDirectory, null);
            found.Add((destination.DataDirectory, dataDirectory));
            CheckNotInUse("the data directory", destination.DataDirectory, running);
            CheckEmptyOrReplaceable(destination.DataDirectory, dataDirectory, destination.Force, IsDataDirectory);
            foreach (var tablespace in tablespaces)
            {
                var what = $"tablespace {tablespace.Oid}'s directory";
                var held = FoundDirectory(tablespace.Directory, tablespace);
                found.Add((tablespace.Directory, held));
                // Restored in place, the tablespace's own refusal says more (relocate it); a running server's is never empty.
                if (tablespace.Relocated)
                {
                    CheckNotInUse(what, tablespace.Directory, running);
                    CheckEmptyOrReplaceable(tablespace.Directory, held, destination.Force, IsTablespaceDirectory);
                }
                else
                {
                    CheckEmptyInPlace(tablespace, held);
                    CheckNotInUse(what, tablespace.Directory, running);
                }
            }

            return new BaseBackupLayout(info, destination, tablespaces, found);
        }
        catch
        {
            foreach (var (_, held) in found)
                held?.Dispose();
            throw;
        }
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
    /// Appends <paramref name="settings"/> to postgresql.auto.conf and writes an empty recovery.signal, both in the held
    /// data directory and never through a symbolic link a tampered archive could have put at either name.
    /// </summary>
    public async Task WriteRecoverySettingsAsync(string settings, CancellationToken cancellationToken)
    {
        var dataDirectory = Held(DataDirectory);
        await using (var configuration = dataDirectory.OpenFile("postgresql.auto.conf", FileMode.Append))
            await configuration.WriteAsync(Encoding.UTF8.GetBytes(settings), cancellationToken);
        await using (dataDirectory.OpenFile("recovery.signal", FileMode.Create))
        {
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
        var dataDirectory = Held(DataDirectory);
        var written = await ServerConfigFiles.WriteMissingAsync(dataDirectory.HandlePath, _destination.Owner.User.Name, cancellationToken);
        if (written.Count > 0)
        {
            reporter.Warning(
                $"the backup holds no {string.Join(", ", written)}: its cluster kept them outside the data directory, as Debian's packages do; " +
                $"wrote minimal ones in {DataDirectory} (PostgreSQL's defaults, and only local socket connections by '{_destination.Owner.User.Name}', peer): " +
                $"copy your own from /etc/postgresql/{MajorVersion(_info.ServerVersion)}/<cluster>/ if you need them");
        }

        foreach (var name in RecoveryFiles.Concat(written))
        {
            if (!Path.Exists(Path.Combine(dataDirectory.HandlePath, name)))
                continue;
            await using var file = dataDirectory.OpenFile(name, FileMode.Open);
            File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            file.Flush(flushToDisk: true);
        }

        GiveTreesToOwner();
        dataDirectory.Flush();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var directory in _held.Values.Concat(_checked.Select(c => c.Found).OfType<HeldDirectory>()).Distinct())
            directory.Dispose();
        _held.Clear();
    }

    /// <summary>
    /// Gives every tree to the server's user in one pass at the end, children before their directory, tablespaces
    /// before the data directory: until then every directory is this process's alone (0700), so the server's user
    /// cannot reach into one, let alone swap a directory for a link. Links are given, never followed.
    /// </summary>
    private void GiveTreesToOwner()
    {
        if (Owner is not { } owner)
            return;
        // A path that no longer leads to the held directory: someone renamed it, and the operator would look for the
        // restored cluster where it is not. Said before anything is given, so that nothing is half handed over.
        if (_held.Values.FirstOrDefault(held => !held.IsStillAtPath()) is { } moved)
        {
            throw new LifeboatException(
                $"'{moved.Path}' is no longer the directory this restore made (it was moved, and a link or another directory is at its path now): someone who can write its parent replaced it; nothing in it was given away",
                "restore into a directory whose parent only root can write, then move it into place");
        }

        foreach (var directory in Tablespaces.Select(t => t.Directory).Append(DataDirectory))
            Held(directory).GiveTreeTo(owner);
    }

    /// <summary>
    /// Takes every directory (made this process's alone: PostgreSQL refuses a data directory others may read), making
    /// those missing, then empties those that may be emptied. Nothing is changed until each is known to be still the
    /// directory that was checked, and one that may not be emptied to be still empty.
    /// </summary>
    internal void PrepareDirectories()
    {
        var mayEmpty = Tablespaces.Where(t => t.Relocated).Select(t => t.Directory).Prepend(DataDirectory).Where(_ => _destination.Force).ToHashSet(StringComparer.Ordinal);
        foreach (var (directory, found) in _checked)
            CheckStillAsChecked(directory, found, mayEmpty.Contains(directory));

        foreach (var (directory, found) in _checked)
            _held.Add(directory, found?.Take() ?? HeldDirectory.Make(directory));

        foreach (var (directory, held) in _held)
        {
            if (mayEmpty.Contains(directory))
                held.Empty();
            else if (!held.IsEmpty)
                throw new LifeboatException($"'{directory}' is no longer empty: something was put in it after it was checked; nothing was written, but {Changed()}", "find out who writes there, then try again");
        }
    }

    private static void CheckStillAsChecked(string directory, HeldDirectory? found, bool mayEmpty)
    {
        if (found is null)
        {
            using var appeared = HeldDirectory.Open(directory);
            if (appeared is not null)
                throw new LifeboatException($"'{directory}' is not the directory that was checked (something appeared at its path): someone who can write its parent put it there; nothing was written", "find out who writes there, then try again");
            return;
        }

        if (found.WhatIsAtPathNow() is { } what)
            throw new LifeboatException($"'{directory}' is not the directory that was checked ({what}): someone who can write its parent replaced it; nothing was written", "restore into a directory whose parent only you can write (only root, when restoring as root), then move it into place if needed");
        if (!mayEmpty && !found.IsEmpty)
            throw new LifeboatException($"'{directory}' is no longer empty: something was put in it after it was checked; nothing was written", "find out who writes there, then try again");
    }

    // What preparing changed, for a refusal after it: each directory made, or taken from its former owner and mode.
    private string Changed() => string.Join("; ", _checked.Select(c => c.Found is { } found
        ? $"'{c.Directory}' (uid {found.Status.Owner}, mode {Convert.ToString((int)found.Status.Permissions, 8)}) was made this process's alone (0700)"
        : $"'{c.Directory}' was made (0700)"));

    /// <summary>Unpacks the archive named <paramref name="archiveName"/> into its directory.</summary>
    internal async Task ExtractAsync(string archiveName, Stream archive, CancellationToken cancellationToken)
    {
        var tablespace = _info.Tablespaces.SingleOrDefault(t => t.Archive == archiveName)
            ?? throw new LifeboatException($"the base backup holds an archive {archiveName} its record does not list", "the backup is damaged or was tampered with: restore from another backup");
        var extractor = tablespace.Oid is { } oid
            ? new ConfinedTarExtractor(Held(Tablespaces.Single(t => t.Oid == oid).Directory).HandlePath, archiveName)
            : new ConfinedTarExtractor(HeldDataDirectory, archiveName, LinkTargetInDataDirectory);
        await extractor.ExtractAsync(archive, cancellationToken);
    }

    // The backup names each tablespace's directory by a link pg_tblspc/OID; it points where the tablespace goes now.
    // (BASE_BACKUP is asked for no tablespace_map file, which would make the server put the links back where they were.)
    private string LinkTargetInDataDirectory(string name, string recorded)
    {
        if (name == TablespaceLinks)
        {
            throw new LifeboatException(
                $"the base backup's main archive holds '{name}' as a symbolic link (to '{recorded}'), where the directory of tablespace links belongs",
                "the backup is damaged or was tampered with: restore from another backup");
        }

        if (Path.GetDirectoryName(name) != TablespaceLinks)
            return recorded;
        return uint.TryParse(Path.GetFileName(name), NumberStyles.None, CultureInfo.InvariantCulture, out var oid) && Tablespaces.SingleOrDefault(t => t.Oid == oid) is { } tablespace
            ? tablespace.Directory
            : throw new LifeboatException(
                $"the base backup's main archive holds the tablespace link '{name}', but the backup records no such tablespace",
                "the backup is damaged or was tampered with: restore from another backup");
    }

    /// <summary>
    /// Links each tablespace the main archive left without one (it normally holds them all), relative to pg_tblspc
    /// opened in the held data directory without following a link.
    /// </summary>
    internal void EnsureTablespaceLinks()
    {
        using var links = Held(DataDirectory).OpenDirectory(TablespaceLinks);
        foreach (var tablespace in Tablespaces)
        {
            var name = tablespace.Oid.ToString(CultureInfo.InvariantCulture);
            var shown = Path.Combine(DataDirectory, TablespaceLinks, name);
            if (FileStatus.Of(links, name, shown) is not null)
                continue;
            if (DirectoryCalls.SymbolicLinkAt(tablespace.Directory, DirectoryCalls.Number(links), name) != 0)
                throw DirectoryCalls.Failed("symlink", shown);
        }
    }

    private HeldDirectory Held(string directory) =>
        _held.TryGetValue(directory, out var held) ? held : throw new InvalidOperationException($"'{directory}' is not held yet: the directories are prepared first");

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

    /// <summary>
    /// What is at <paramref name="directory"/> now (null: nothing), which must be what is held later. A symbolic link is
    /// refused: what it points to could change between this check and the writes, and whoever can write its parent
    /// could point it anywhere.
    /// </summary>
    private static HeldDirectory? FoundDirectory(string directory, TablespacePlacement? tablespace)
    {
        var (parent, name) = PathWalk.OpenParent(directory, makeMissing: false);
        using (parent)
        {
            var found = parent is null ? null : FileStatus.Of(parent.Handle, name, directory);
            if (found is null)
                return null;
            if (found.Value.IsDirectory)
                return HeldDirectory.OpenIn(parent!, name, directory);
            if (!found.Value.IsLink)
                throw new LifeboatException($"'{directory}' is not a directory; nothing was written", "choose a directory", FailureKind.Usage);
            throw new LifeboatException(
                $"'{directory}' is a symbolic link (to '{DirectoryCalls.ReadLinkAt(parent!.Handle, name)}'): a restore writes into the directory itself, never through a link at its place; nothing was written",
                "name the directory the link points to",
                FailureKind.Usage)
            {
                Remedy = tablespace is { Relocated: false } ? new(RemedyAction.RelocateTablespace, tablespace.Oid.ToString(CultureInfo.InvariantCulture)) : null,
            };
        }
    }

    /// <summary>
    /// Refuses a directory that is, lies in or holds the data directory or a tablespace's directory of a PostgreSQL
    /// server running on this host: emptying it, or writing into it, would destroy or corrupt a live cluster (another
    /// cluster's tablespace directory holds only PG_* directories, just what a forced restore empties).
    /// </summary>
    private static void CheckNotInUse(string what, string directory, IReadOnlyList<RunningCluster> running)
    {
        var mine = DirectoryLineage.Of(directory);
        foreach (var cluster in running)
        {
            foreach (var (theirs, role) in cluster.TablespaceDirectories.Select(t => (t, "tablespace directory")).Prepend((cluster.DataDirectory, "data directory")))
            {
                var relation = mine.Is(theirs) ? "is the" : mine.LiesIn(theirs) ? "lies in the" : theirs.LiesIn(mine) ? "holds the" : null;
                if (relation is null)
                    continue;
                var server = role == "data directory"
                    ? $"of the PostgreSQL server running as process {cluster.Pid}"
                    : $"of the PostgreSQL server running as process {cluster.Pid} on the data directory '{cluster.DataDirectory.Path}'";
                var place = relation == "is the" ? role : $"{role} '{theirs.Path}'";
                throw new LifeboatException(
                    $"{what} '{directory}' {relation} {place} {server}; nothing was written",
                    "choose a directory apart from every running server's data directory and tablespaces, or stop that server first if its files may go",
                    FailureKind.Usage);
            }
        }
    }

    private static LifeboatException Apart(string what) =>
        new($"{what}; nothing was written", "give the data directory and each tablespace a directory of its own", FailureKind.Usage);

    private static bool Overlap(string a, string b) =>
        a == b || a.StartsWith(b + Path.DirectorySeparatorChar, StringComparison.Ordinal) || b.StartsWith(a + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static bool IsEmpty(HeldDirectory? found) => found is null || found.IsEmpty;

    /// <summary>
    /// A non-empty directory is replaced only with force, and only when it is what it is replaced with: a mistyped or
    /// empty variable must not empty '/', a home or a repository (pgBackRest's --delta asks the same of a data directory).
    /// </summary>
    private static void CheckEmptyOrReplaceable(string directory, HeldDirectory? found, bool force, Func<HeldDirectory, bool> isReplaceable)
    {
        if (found is null || found.IsEmpty)
            return;
        // Said first: --force would not help here, so it must not be the hint.
        if (!isReplaceable(found))
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

        if (File.Exists(Path.Combine(found.HandlePath, "postmaster.pid")))
            throw new LifeboatException($"'{directory}' holds postmaster.pid: a server may be running on it; nothing was written", "stop that server first", FailureKind.Usage);
    }

    private static bool IsDataDirectory(HeldDirectory found) => File.Exists(Path.Combine(found.HandlePath, "PG_VERSION"));

    // A tablespace's directory holds one PG_<major>_<catalog version> directory per server version that used it.
    private static bool IsTablespaceDirectory(HeldDirectory found) =>
        Directory.EnumerateFileSystemEntries(found.HandlePath).All(entry => Path.GetFileName(entry).StartsWith("PG_", StringComparison.Ordinal) && Directory.Exists(entry));

    private static void CheckEmptyInPlace(TablespacePlacement tablespace, HeldDirectory? found)
    {
        if (IsEmpty(found))
            return;
        throw new LifeboatException(
            $"tablespace {tablespace.Oid} is restored where it was, in '{tablespace.Directory}', which is not empty; a tablespace restored in place is never emptied, since on the server's own host it is the running cluster's; nothing was written",
            kind: FailureKind.Usage)
        {
            Remedy = new(RemedyAction.RelocateTablespace, tablespace.Oid.ToString(CultureInfo.InvariantCulture)),
        };
    }

    private static string MajorVersion(string serverVersion) =>
        new string(serverVersion.TakeWhile(char.IsAsciiDigit).ToArray()) is { Length: > 0 } major ? major : serverVersion;
}
