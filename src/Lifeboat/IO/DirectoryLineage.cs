namespace Lifeboat.IO;

/// <summary>
/// A directory and each of its parents up to '/', as device and inode: where it is, whatever path, link, bind mount or
/// mount namespace reaches it, so that two directories compare by what they are rather than by how they are spelled.
/// </summary>
/// <param name="Path">How it was named, for messages.</param>
/// <param name="Self">The directory itself; null when it does not exist (yet).</param>
/// <param name="Parents">Its parents, nearest first (for a directory that does not exist, its nearest existing parent first).</param>
internal sealed record DirectoryLineage(string Path, FileStatus? Self, IReadOnlyList<FileStatus> Parents)
{
    /// <summary>
    /// The lineage of what <paramref name="reach"/> leads to, every link followed, shown as <paramref name="shown"/>
    /// (by default <paramref name="reach"/> itself). The parents are found through '..' from it, as the kernel walks them.
    /// </summary>
    /// <exception cref="LifeboatException">The path cannot be followed (a link loop, a parent this user may not search).</exception>
    public static DirectoryLineage Of(string reach, string? shown = null)
    {
        var path = System.IO.Path.TrimEndingDirectorySeparator(reach);
        try
        {
            return Walk(path, shown ?? path);
        }
        catch (IOException e)
        {
            throw new LifeboatException(
                $"cannot tell which directory '{shown ?? path}' is: {e.Message}; nothing was written",
                "check the path and its permissions: every directory on it must be searchable by this user, and no symbolic link on it may lead back into itself",
                FailureKind.Usage,
                e);
        }
    }

    /// <summary>True when this is <paramref name="other"/> itself.</summary>
    public bool Is(DirectoryLineage other) => Self is { } mine && other.Self is { } theirs && mine.IsSameFile(theirs);

    /// <summary>True when this lies (at any depth) in <paramref name="other"/>.</summary>
    public bool LiesIn(DirectoryLineage other) => other.Self is { } theirs && Parents.Any(parent => parent.IsSameFile(theirs));

    private static DirectoryLineage Walk(string path, string shown)
    {
        var self = FileStatus.Following(path);
        var from = path;
        var parents = new List<FileStatus>();
        if (self is null)
        {
            // What does not exist yet cannot be a link: its nearest existing parent by name is where it will be.
            while (FileStatus.Following(from) is null && System.IO.Path.GetDirectoryName(from) is { } up)
                from = up;
            parents.Add(FileStatus.Following(from) ?? throw new IOException($"nothing of '{path}' exists, not even '/'"));
        }

        // Up by '..' until it stays put: '/' is its own parent.
        for (var up = from + "/.."; FileStatus.Following(up) is { } parent; up += "/..")
        {
            if (parents.Count > 0 ? parents[^1].IsSameFile(parent) : self is { } s && s.IsSameFile(parent))
                break;
            parents.Add(parent);
        }

        return new DirectoryLineage(shown, self, parents);
    }
}
