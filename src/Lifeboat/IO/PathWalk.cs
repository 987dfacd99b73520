using Microsoft.Win32.SafeHandles;
using static Lifeboat.IO.DirectoryCalls;

namespace Lifeboat.IO;

/// <summary>
/// Opens a directory by its path from '/' one component at a time, each opened relative to the one before it and never
/// through a symbolic link (openat with O_NOFOLLOW), so that no link anywhere in the path is followed unseen. A link met
/// on the way is read and its target walked the same way; run as root, only a link that root alone could have put
/// and could change is followed (root's own, in a directory only root may write, as /var/run → /run): a link another
/// user controls could otherwise send root's writes, and the hand-over of what it wrote, anywhere on the host.
/// </summary>
internal static class PathWalk
{
    private const int MostLinks = 40; // the kernel's own limit (MAXSYMLINKS)

    // Missing parents get the usual mode, so that the server's user can pass through them.
    private const UnixFileMode ParentMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// Opens the directory at <paramref name="path"/> (made absolute first). A missing component makes the answer null,
    /// or, with <paramref name="makeMissing"/>, is made (0755) in the directory before it and opened relative to it.
    /// </summary>
    /// <exception cref="LifeboatException">A component is not a directory, the links loop, or, run as root, a link is one another user could have put or could change.</exception>
    public static ResolvedDirectory? Open(string path, bool makeMissing) => Open(path, makeMissing, OsUser.Current.IsRoot);

    /// <summary><see cref="Open(string, bool)"/>, following only links root alone controls when <paramref name="rootLinksOnly"/>.</summary>
    internal static ResolvedDirectory? Open(string path, bool makeMissing, bool rootLinksOnly) => Open(System.IO.Path.GetFullPath(path), System.IO.Path.GetFullPath(path), makeMissing, rootLinksOnly);

    /// <summary>The directory that holds <paramref name="path"/>, and the last component's name.</summary>
    public static (ResolvedDirectory? Parent, string Name) OpenParent(string path, bool makeMissing)
    {
        var full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        var name = System.IO.Path.GetFileName(full);
        if (name.Length == 0)
            throw new ArgumentException("'/' has no parent", nameof(path));
        return (Open(System.IO.Path.GetDirectoryName(full)!, full, makeMissing, OsUser.Current.IsRoot), name);
    }

    // Errors name `shown`: the path asked for, of which `full` may be the parent.
    private static ResolvedDirectory? Open(string full, string shown, bool makeMissing, bool rootLinksOnly)
    {
        var pending = new Stack<string>(Components(full).Reverse());
        var reached = new List<(SafeFileHandle Handle, string Name)> { (OpenRoot(), "") };
        var links = 0;
        try
        {
            while (pending.TryPop(out var name))
            {
                if (name is "" or ".")
                    continue;
                if (name == "..")
                {
                    BackUpTo(reached, Math.Max(1, reached.Count - 1));
                    continue;
                }

                var parent = reached[^1].Handle;
                var here = PathOf(reached, name);
                var next = OpenIn(parent, name, here);
                if (next is null && makeMissing && FileStatus.Of(parent, name, here) is null)
                {
                    if (MakeDirectoryAt(Number(parent), name, (uint)ParentMode) != 0 && LastError != AlreadyExists)
                        throw Failed("mkdir", here);
                    next = OpenIn(parent, name, here);
                }

                if (next is not null)
                {
                    reached.Add((next, name));
                    continue;
                }

                if (FileStatus.Of(parent, name, here) is not { } found)
                    return makeMissing ? throw new IOException($"'{here}' vanished as soon as it was made") : null;
                if (!found.IsLink)
                    throw Refused(shown, $"'{here}' is not a directory", "name a directory");
                if (++links > MostLinks)
                    throw Refused(shown, $"more than {MostLinks} symbolic links are met on the way (a loop?)", "name the directory by a path without links");
                var target = ReadLinkAt(parent, name) ?? throw Failed("readlink", here);
                if (rootLinksOnly)
                    CheckRootAlone(shown, here, target, found, FileStatus.Of(parent, PathOf(reached, "")));
                foreach (var part in Components(target).Reverse())
                    pending.Push(part);
                if (target.StartsWith('/'))
                    BackUpTo(reached, 1);
            }

            var resolved = PathOf(reached, "");
            var (handle, _) = reached[^1];
            reached.RemoveAt(reached.Count - 1);
            return new ResolvedDirectory(handle, resolved);
        }
        finally
        {
            BackUpTo(reached, 0);
        }
    }

    // A link is root's alone when root owns it and no one else may write the directory holding it (to replace it).
    private static void CheckRootAlone(string path, string link, string target, FileStatus found, FileStatus holder)
    {
        var why = found.Owner != 0 ? $"the link belongs to uid {found.Owner}"
            : holder.WritableByOthers is { } who ? $"it lies in '{System.IO.Path.GetDirectoryName(link)}', which others may change ({who})"
            : null;
        if (why is null)
            return;
        throw Refused(
            path,
            $"its component '{link}' is a symbolic link (to '{target}') that someone other than root could have put there or could change: {why}; root follows no such link",
            "name the directory by its path without that link, or make the link and the directory holding it root's alone");
    }

    private static SafeFileHandle? OpenIn(SafeFileHandle parent, string name, string shown)
    {
        var descriptor = OpenAt(Number(parent), name, PathOnly | DirectoryOnly | NoFollow | CloseOnExec, 0);
        if (descriptor >= 0)
            return new SafeFileHandle(descriptor, ownsHandle: true);
        // A link answers ENOTDIR with O_DIRECTORY (or ELOOP); what is really there, statx tells.
        return LastError is NoSuchEntry or NotADirectory or TooManyLinks ? null : throw Failed("open", shown);
    }

    private static SafeFileHandle OpenRoot()
    {
        var descriptor = DirectoryCalls.Open("/", PathOnly | DirectoryOnly | CloseOnExec, 0);
        return descriptor >= 0 ? new SafeFileHandle(descriptor, ownsHandle: true) : throw Failed("open", "/");
    }

    private static void BackUpTo(List<(SafeFileHandle Handle, string Name)> reached, int count)
    {
        for (var i = reached.Count - 1; i >= count; i--)
        {
            reached[i].Handle.Dispose();
            reached.RemoveAt(i);
        }
    }

    private static string PathOf(List<(SafeFileHandle Handle, string Name)> reached, string name) =>
        "/" + string.Join('/', reached.Skip(1).Select(r => r.Name).Append(name).Where(n => n.Length > 0));

    private static IEnumerable<string> Components(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static LifeboatException Refused(string path, string why, string hint) =>
        new($"'{path}' cannot be reached safely: {why}; nothing was written", hint, FailureKind.Usage);
}
