using Microsoft.Win32.SafeHandles;
using static Lifeboat.IO.DirectoryCalls;

namespace Lifeboat.IO;

/// <summary>
/// A directory held open by its descriptor, this process's alone (0700), and worked on only through that descriptor.
/// Whoever can write its parent may rename it or put a symbolic link at its path, but what is written, emptied or given
/// away stays in the directory that was opened: nothing beneath it is reached through its path again.
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

    private HeldDirectory(string path, SafeFileHandle handle, FileStatus status)
    {
        Path = path;
        _handle = handle;
        _status = status;
        HandlePath = PathOf(handle);
    }

    /// <summary>The path it was opened at, for messages and to tell whether it is still there.</summary>
    public string Path { get; }

    /// <summary>A path that reaches the held directory whatever has become of <see cref="Path"/>.</summary>
    public string HandlePath { get; }

    /// <summary>True when nothing is in it.</summary>
    public bool IsEmpty => !Directory.EnumerateFileSystemEntries(HandlePath).Any();

    /// <summary>
    /// Opens the directory at <paramref name="path"/> and makes it this process's alone (root takes another user's).
    /// <paramref name="expected"/> is what was there when it was checked: that very directory must be opened; when
    /// nothing was there, it is made now, and what is opened must be the empty directory just made.
    /// </summary>
    /// <exception cref="LifeboatException">A symbolic link or a file is at the path, or another directory than the one checked, or another user's without root.</exception>
    public static HeldDirectory Take(string path, FileStatus? expected)
    {
        var made = expected is null && MakeDirectory(path, (uint)OwnerOnly) == 0;
        if (expected is null && !made && LastError != AlreadyExists)
            throw Failed("mkdir", path);
        var handle = OpenDirectory(path);
        try
        {
            var status = FileStatus.Of(handle, path);
            var current = OsUser.Current;
            var what = expected is { } found
                ? status.IsSameFile(found) ? null : "another directory is at its path now"
                : !made ? "something appeared at its path"
                : status.Owner != current.Uid || !IsEmptyDirectory(handle) ? "another directory took the place of the one made" : null;
            if (what is not null)
                throw Replaced(path, what);
            MakeOurs(handle, status, path, current);
            return new HeldDirectory(path, handle, FileStatus.Of(handle, path));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>True while <see cref="Path"/> still names the held directory (not a link, not another directory).</summary>
    public bool IsStillAtPath() => FileStatus.Of(Path) is { } now && now.IsSameFile(_status);

    /// <summary>Removes everything in it; links are removed, never followed, and nothing outside it is reached.</summary>
    public void Empty() => EmptyBeneath(_handle, Path);

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
        // openat follows links in every component but the last: only a name directly in the directory is safe.
        if (name.Contains('/', StringComparison.Ordinal) || name is "" or "." or "..")
            throw new ArgumentException($"'{name}' is not a name directly in a directory", nameof(name));
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
            throw LastError == TooManyLinks ? new IOException($"'{Show(Path, name)}' is a symbolic link; it was not followed") : Failed("open", Show(Path, name));
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

    private static SafeFileHandle OpenDirectory(string path)
    {
        var descriptor = Open(path, ReadOnly | DirectoryOnly | NoFollow | CloseOnExec, 0);
        if (descriptor >= 0)
            return new SafeFileHandle(descriptor, ownsHandle: true);
        // With O_DIRECTORY, Linux answers ENOTDIR rather than ELOOP for a link: which one it was, lstat tells.
        if (LastError is not (TooManyLinks or NotADirectory))
            throw Failed("open", path);
        throw Replaced(path, FileStatus.Of(path) is { IsLink: true } ? "a symbolic link is at its path" : "something other than a directory is at its path");
    }

    // Root takes another user's directory first, so that its former owner can neither change its mode back nor enter it
    // (permissions are checked at each use, descriptors opened earlier included); then it is made 0700.
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

    private static void EmptyBeneath(SafeFileHandle directory, string shown)
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

                EmptyBeneath(inner, Show(shown, name));
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

    private static LifeboatException Replaced(string path, string what) => new(
        $"'{path}' is not the directory that was checked ({what}): someone who can write its parent replaced it; nothing was written",
        "restore into a directory whose parent only you can write (only root, when restoring as root), then move it into place if needed");
}
