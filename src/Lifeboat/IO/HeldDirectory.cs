using Microsoft.Win32.SafeHandles;
using static Lifeboat.IO.DirectoryCalls;

namespace Lifeboat.IO;

/// <summary>
/// A directory held open by its descriptor, this process's alone (0700), and worked on only through that descriptor.
/// It is reached from '/' one component at a time (<see cref="PathWalk"/>), so that no link another user controls, at
/// its place or in a parent, decides which directory it is. Whoever can write its parent may rename it or put a symbolic
/// link at its path later, but what is written, emptied or given away stays in the directory that was opened: nothing
/// beneath it is reached through its path again.
/// </summary>
/// <remarks>
/// <see cref="HandlePath"/> (/proc/self/fd/N) lets the path-based file API work beneath it: the kernel resolves that
/// link to the open directory itself. The components after it are resolved as usual, which is safe because everything
/// beneath is this process's and 0700, so no other user can swap one; emptying and giving away, which meet what others
/// may have left, go component by component with O_NOFOLLOW instead.
/// </remarks>
internal sealed class HeldDirectory : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly SafeFileHandle _handle;
    private readonly FileStatus _status;

    private HeldDirectory(string path, string resolvedPath, SafeFileHandle handle, FileStatus status)
    {
        Path = path;
        ResolvedPath = resolvedPath;
        _handle = handle;
        _status = status;
        HandlePath = PathOf(handle);
    }

    /// <summary>The path it was opened at, for messages and to tell whether it is still there.</summary>
    public string Path { get; }

    /// <summary>Where it was when opened: <see cref="Path"/> with every symbolic link in it resolved.</summary>
    public string ResolvedPath { get; }

    /// <summary>A path that reaches the held directory whatever has become of <see cref="Path"/>.</summary>
    public string HandlePath { get; }

    /// <summary>Which directory it is.</summary>
    public FileStatus Status => _status;

    /// <summary>True when nothing is in it.</summary>
    public bool IsEmpty => IsEmptyDirectory(_handle);

    /// <summary>
    /// Opens the directory at <paramref name="path"/> as it is, reached from '/' without following a link another user
    /// could have put (<see cref="PathWalk"/>), not yet taken (<see cref="Take()"/>); null when nothing is there.
    /// </summary>
    /// <exception cref="LifeboatException">A symbolic link or a file is at the path, or a link in a parent is not root's alone (run as root).</exception>
    public static HeldDirectory? Open(string path)
    {
        var (parent, name) = PathWalk.OpenParent(path, makeMissing: false);
        using (parent)
        {
            if (parent is null || FileStatus.Of(parent.Handle, name, path) is null)
                return null;
            return OpenIn(parent, name, path);
        }
    }

    /// <summary>
    /// Makes the directory at <paramref name="path"/> this process's alone (0700), and its missing parents (0755), each
    /// in the one before it; what is opened must be the empty directory just made.
    /// </summary>
    /// <exception cref="LifeboatException">Something is at the path already, or took the place of the directory made.</exception>
    public static HeldDirectory Make(string path)
    {
        var (parent, name) = PathWalk.OpenParent(path, makeMissing: true);
        using (parent)
        {
            if (MakeDirectoryAt(Number(parent!.Handle), name, (uint)OwnerOnly) != 0)
            {
                if (LastError != AlreadyExists)
                    throw Failed("mkdir", path);
                throw Replaced(path, FileStatus.Of(parent.Handle, name, path) is { IsLink: true } ? "a symbolic link is at its path" : "something appeared at its path");
            }

            var held = OpenIn(parent, name, path);
            if (held._status.Owner != OsUser.Current.Uid || !held.IsEmpty)
            {
                held.Dispose();
                throw Replaced(path, "another directory took the place of the one made");
            }

            return held.Take();
        }
    }

    /// <summary>
    /// Opens the directory at <paramref name="path"/> and makes it this process's alone (root takes another user's).
    /// <paramref name="expected"/> is what was there when it was checked: that very directory must be opened; when
    /// nothing was there, it is made now (<see cref="Make"/>).
    /// </summary>
    /// <exception cref="LifeboatException">A symbolic link or a file is at the path, or another directory than the one checked, or another user's without root.</exception>
    public static HeldDirectory Take(string path, FileStatus? expected)
    {
        if (expected is not { } found)
            return Make(path);
        var held = Open(path) ?? throw Replaced(path, "nothing is at its path now");
        if (!held._status.IsSameFile(found))
        {
            held.Dispose();
            throw Replaced(path, "another directory is at its path now");
        }

        return held.Take();
    }

    /// <summary>
    /// Makes it this process's alone: root takes another user's directory first, so that its former owner can neither
    /// change its mode back nor enter it (permissions are checked at each use, descriptors opened earlier included);
    /// then it is made 0700.
    /// </summary>
    public HeldDirectory Take()
    {
        try
        {
            MakeOurs(_handle, _status, Path, OsUser.Current);
            return this;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// True while <see cref="Path"/> still names the held directory: reached from '/' as <see cref="Open(string)"/> reaches it,
    /// no link at its place, no other directory.
    /// </summary>
    public bool IsStillAtPath() => WhatIsAtPathNow() is null;

    /// <summary>Null while <see cref="IsStillAtPath"/>; otherwise what is at <see cref="Path"/> now, in words.</summary>
    public string? WhatIsAtPathNow()
    {
        try
        {
            var (parent, name) = PathWalk.OpenParent(Path, makeMissing: false);
            using (parent)
            {
                return (parent is null ? null : FileStatus.Of(parent.Handle, name, Path)) switch
                {
                    null => "nothing is at its path now",
                    { IsLink: true } => "a symbolic link is at its path",
                    { IsDirectory: false } => "something other than a directory is at its path",
                    var now when !now.Value.IsSameFile(_status) => "another directory is at its path now",
                    _ => null,
                };
            }
        }
        catch (LifeboatException e)
        {
            return e.Message; // a link root would not follow is on the way now
        }
    }

    /// <summary>
    /// Opens the directory <paramref name="name"/> directly in it, never through a symbolic link, making it (0700) when
    /// missing.
    /// </summary>
    /// <exception cref="LifeboatException">A symbolic link or a file is at its name.</exception>
    public SafeFileHandle OpenDirectory(string name)
    {
        CheckName(name);
        if (MakeDirectoryAt(Number(_handle), name, (uint)OwnerOnly) != 0 && LastError != AlreadyExists)
            throw Failed("mkdir", Show(Path, name));
        return OpenDirectoryAt(_handle, name, Path) ?? throw new LifeboatException(
            $"'{Show(Path, name)}' is {(FileStatus.Of(_handle, name, Show(Path, name)) is { IsLink: true } ? "a symbolic link" : "a file")} where the backup holds a directory; it was not followed and nothing was written through it",
            "the backup is damaged or was tampered with: restore from another backup");
    }

    /// <summary>Removes everything in it; links are removed, never followed, and nothing outside it is reached.</summary>
    /// <remarks>
    /// Each directory beneath is taken (made this process's, 0700) before it is listed, so that its former owner, from
    /// a shell already inside it or a descriptor opened earlier, can no longer move anything into it; a directory on
    /// another file system or at a mount root (a mount point, a bind mount included) is refused, never emptied.
    /// </remarks>
    public void Empty() => EmptyBeneath(_handle, Path, _status.Device, OsUser.Current);

    /// <summary>
    /// Gives everything in it to <paramref name="user"/>, children before their directory, and the directory itself last;
    /// links are given themselves, never what they point to.
    /// </summary>
    public void GiveTreeTo(OsUser user)
    {
        GiveBeneath(_handle, Path, user);
        if (FChown(Number(_handle), user.Uid, user.Gid) != 0)
            throw Failed("fchown", Path);
    }

    /// <summary>
    /// Opens the file <paramref name="name"/> directly in it for writing, never through a symbolic link:
    /// <see cref="FileMode.CreateNew"/>, <see cref="FileMode.Create"/>, <see cref="FileMode.Append"/> or
    /// <see cref="FileMode.Open"/>; a file it creates is the owner's alone (0600).
    /// </summary>
    public FileStream OpenFile(string name, FileMode mode)
    {
        CheckName(name);
        var flags = mode switch
        {
            FileMode.CreateNew => Create | Exclusive,
            FileMode.Create => Create | Truncate,
            FileMode.Append => Create | Append,
            FileMode.Open => 0,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "not a mode for writing a file in a held directory"),
        };
        var descriptor = OpenAt(Number(_handle), name, WriteOnly | flags | NoFollow | CloseOnExec, (uint)OwnerReadWrite);
        if (descriptor < 0)
            throw LastError == TooManyLinks ? LinkWhereAFileBelongs(Show(Path, name)) : Failed("open", Show(Path, name));
        var file = new FileStream(new SafeFileHandle(descriptor, ownsHandle: true), FileAccess.Write, 1 << 12);
        if (mode == FileMode.Append)
            file.Seek(0, SeekOrigin.End);
        return file;
    }

    /// <summary>Makes its entries durable (fsync on the directory).</summary>
    public void Flush()
    {
        if (FSync(Number(_handle)) != 0)
            throw Failed("fsync", Path);
    }

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();

    /// <summary>Opens the directory <paramref name="name"/> in <paramref name="parent"/>, shown as <paramref name="path"/>, as it is (not yet taken).</summary>
    /// <exception cref="LifeboatException">Nothing, a symbolic link or a file is there.</exception>
    public static HeldDirectory OpenIn(ResolvedDirectory parent, string name, string path)
    {
        var descriptor = OpenAt(Number(parent.Handle), name, ReadOnly | DirectoryOnly | NoFollow | CloseOnExec, 0);
        if (descriptor >= 0)
        {
            var handle = new SafeFileHandle(descriptor, ownsHandle: true);
            try
            {
                return new HeldDirectory(path, Show(parent.Path, name), handle, FileStatus.Of(handle, path));
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        // With O_DIRECTORY, Linux answers ENOTDIR rather than ELOOP for a link: which one it was, statx tells.
        if (LastError is not (TooManyLinks or NotADirectory or NoSuchEntry))
            throw Failed("open", path);
        throw Replaced(path, FileStatus.Of(parent.Handle, name, path) switch
        {
            null => "nothing is at its path now",
            { IsLink: true } => "a symbolic link is at its path",
            _ => "something other than a directory is at its path",
        });
    }

    // openat follows links in every component but the last: only a name directly in the directory is safe.
    private static void CheckName(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal) || name is "" or "." or "..")
            throw new ArgumentException($"'{name}' is not a name directly in a directory", nameof(name));
    }

    private static void MakeOurs(SafeFileHandle handle, FileStatus status, string path, OsUser current)
    {
        if (status.Owner != current.Uid)
        {
            if (!current.IsRoot)
            {
                throw new LifeboatException(
                    $"'{path}' belongs to another user (uid {status.Owner}); only root may restore into another user's directory; nothing was written",
                    "restore as root, or into a directory of your own",
                    FailureKind.Usage);
            }

            if (FChown(Number(handle), current.Uid, current.Gid) != 0)
                throw Failed("fchown", path);
        }

        if (FChmod(Number(handle), (uint)OwnerOnly) != 0)
            throw Failed("fchmod", path);
        if (FileStatus.Of(handle, path) is not { IsDirectory: true, Permissions: OwnerOnly } held || held.Owner != current.Uid)
            throw new IOException($"'{path}' did not become this process's alone (0700) after fchown and fchmod");
    }

    private static bool IsEmptyDirectory(SafeFileHandle handle) => !Directory.EnumerateFileSystemEntries(PathOf(handle)).Any();

    private static void EmptyBeneath(SafeFileHandle directory, string shown, ulong device, OsUser current)
    {
        foreach (var name in NamesIn(directory))
        {
            using (var inner = OpenDirectoryAt(directory, name, shown))
            {
                if (inner is null)
                {
                    if (UnlinkAt(Number(directory), name, 0) != 0)
                        throw Failed("unlink", Show(shown, name));
                    continue;
                }

                var path = Show(shown, name);
                var status = FileStatus.Of(inner, path);
                if (status.Device != device)
                {
                    throw new LifeboatException(
                        $"'{path}' is on another file system than the directory being emptied (a mount point); nothing in it was removed",
                        "unmount it, or empty the directory yourself, then try again");
                }

                // A bind mount of a directory on the same file system keeps its device number: only statx tells it apart.
                if (status.IsMountRoot)
                {
                    throw new LifeboatException(
                        $"'{path}' is a mount point (a bind mount) in the directory being emptied; nothing in it was removed",
                        "unmount it, or empty the directory yourself, then try again");
                }

                MakeOurs(inner, status, path, current);
                EmptyBeneath(inner, path, device, current);
            }

            if (UnlinkAt(Number(directory), name, RemoveDirectory) != 0)
                throw Failed("rmdir", Show(shown, name));
        }
    }

    private static void GiveBeneath(SafeFileHandle directory, string shown, OsUser user)
    {
        foreach (var name in NamesIn(directory))
        {
            using var inner = OpenDirectoryAt(directory, name, shown);
            if (inner is null)
            {
                if (FChownAt(Number(directory), name, user.Uid, user.Gid, SymlinkNoFollow) != 0)
                    throw Failed("lchown", Show(shown, name));
                continue;
            }

            GiveBeneath(inner, Show(shown, name), user);
            if (FChown(Number(inner), user.Uid, user.Gid) != 0)
                throw Failed("fchown", Show(shown, name));
        }
    }

    /// <summary>The directory <paramref name="name"/> in <paramref name="directory"/>, opened without following a link; null when it is no directory.</summary>
    private static SafeFileHandle? OpenDirectoryAt(SafeFileHandle directory, string name, string shown)
    {
        var descriptor = OpenAt(Number(directory), name, ReadOnly | DirectoryOnly | NoFollow | CloseOnExec, 0);
        if (descriptor >= 0)
            return new SafeFileHandle(descriptor, ownsHandle: true);
        return LastError is NotADirectory or TooManyLinks ? null : throw Failed("open", Show(shown, name));
    }

    // Read whole before anything is removed, so that the listing does not change under the enumeration.
    private static List<string> NamesIn(SafeFileHandle directory) =>
        Directory.EnumerateFileSystemEntries(PathOf(directory)).Select(entry => System.IO.Path.GetFileName(entry)).ToList();

    private static string PathOf(SafeFileHandle handle) => $"/proc/self/fd/{Number(handle)}";

    private static string Show(string directory, string name) => System.IO.Path.Combine(directory, name);

    private static LifeboatException LinkWhereAFileBelongs(string path) => new(
        $"'{path}' is a symbolic link where the backup holds a file; it was not followed and nothing was written through it",
        "the backup is damaged or was tampered with: restore from another backup");

    private static LifeboatException Replaced(string path, string what) => new(
        $"'{path}' is not the directory that was checked ({what}): someone who can write its parent replaced it; nothing was written",
        "restore into a directory whose parent only you can write (only root, when restoring as root), then move it into place if needed");
}
