namespace Lifeboat.TestKit.Servers;

/// <summary>Resolves symbolic links in paths, so a path the kit writes down reads as the kernel reports a process's directory.</summary>
internal static class SymbolicLinks
{
    /// <summary><paramref name="path"/>, made absolute, with every symbolic link in it replaced by what it points to.</summary>
    public static string Resolve(string path)
    {
        var resolved = "/";
        foreach (var part in Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            // A relative target is relative to the link's directory; Combine keeps an absolute one as it is.
            resolved = new DirectoryInfo(next).LinkTarget is { } target ? Resolve(Path.Combine(resolved, target)) : next;
        }

        return resolved;
    }
}
