using System.Globalization;
using Lifeboat.IO;

namespace Lifeboat.Postgres;

/// <summary>A PostgreSQL server running on this host, as /proc shows it: its postmaster, data directory and tablespaces.</summary>
/// <param name="Pid">Its postmaster's process id.</param>
/// <param name="DataDirectory">Its data directory (the postmaster works in it).</param>
/// <param name="TablespaceDirectories">Where the links in its pg_tblspc lead.</param>
/// <remarks>
/// Each directory is known by device and inode, read through the process's own /proc/PID/cwd: a bind mount, another
/// spelling of the path or another mount namespace's view of it is still recognised as the same directory. Paths are
/// kept only for messages.
/// </remarks>
internal sealed record RunningCluster(int Pid, DirectoryLineage DataDirectory, IReadOnlyList<DirectoryLineage> TablespaceDirectories)
{
    private const string ProcessDirectory = "/proc";
    private static readonly string[] ServerCommands = ["postgres", "postmaster"];

    /// <summary>
    /// Every postmaster on this host whose working directory this process may read: all of them as root; without root
    /// only its own user's, since the kernel hides another user's /proc/PID/cwd. Nothing is guessed for the others.
    /// </summary>
    public static IReadOnlyList<RunningCluster> FindAll()
    {
        var clusters = new List<RunningCluster>();
        foreach (var pid in ProcessIds())
        {
            if (!IsServer(pid) || ParentOf(pid) is not { } parent || IsServer(parent))
                continue; // not PostgreSQL, gone meanwhile, or one of a postmaster's children, which share its directory
            // A postgres process not (yet) working in a data directory — `postgres -V` or `-C`, initdb's bootstrap, a
            // postmaster before its chdir — guards nothing; taken as a server it would make '/' a data directory.
            if (!File.Exists($"{ProcessDirectory}/{pid}/cwd/PG_VERSION"))
                continue;
            if (Lineage($"{ProcessDirectory}/{pid}/cwd") is { } dataDirectory)
                clusters.Add(new RunningCluster(pid, dataDirectory, TablespacesOf(pid)));
        }

        return clusters;
    }

    private static IEnumerable<int> ProcessIds() =>
        Directory.EnumerateDirectories(ProcessDirectory)
            .Select(Path.GetFileName)
            .Select(name => int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0);

    private static bool IsServer(int pid) => ReadOrNull($"{ProcessDirectory}/{pid}/comm") is { } command && ServerCommands.Contains(command.TrimEnd('\n'));

    // /proc/PID/stat is "pid (command) state ppid ...": the command may hold spaces and parentheses, so count after the last ')'.
    private static int? ParentOf(int pid)
    {
        var stat = ReadOrNull($"{ProcessDirectory}/{pid}/stat");
        var fields = stat?[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is [_, var parent, ..] && int.TryParse(parent, NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) ? ppid : null;
    }

    // Read through the process's own cwd link, which reaches its data directory whatever has become of the path.
    private static List<DirectoryLineage> TablespacesOf(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"{ProcessDirectory}/{pid}/cwd/pg_tblspc")
                .Select(Lineage)
                .OfType<DirectoryLineage>()
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    // A link in /proc (cwd, or pg_tblspc/OID through it) followed to the directory it leads to, shown as its target resolved.
    private static DirectoryLineage? Lineage(string link)
    {
        try
        {
            if (new FileInfo(link).LinkTarget is not { } target)
                return null;
            var lineage = DirectoryLineage.Of(link, RealPath.Of(target));
            return lineage.Self is null ? null : lineage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LifeboatException)
        {
            return null; // another user's process, seen without root, or gone meanwhile
        }
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
