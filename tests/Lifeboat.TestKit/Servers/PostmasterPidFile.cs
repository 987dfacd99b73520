using System.Globalization;

namespace Lifeboat.TestKit.Servers;

/// <summary>
/// postmaster.pid, the lock file a running PostgreSQL cluster keeps in its data directory: the postmaster's pid on
/// line 1, the data directory on line 2, its start time (Unix seconds) on line 3.
/// </summary>
internal static class PostmasterPidFile
{
    /// <summary>The file's name in the data directory.</summary>
    public const string Name = "postmaster.pid";

    /// <summary>
    /// The pid of the postmaster serving <paramref name="dataDirectory"/>, or null unless that is certain: the file
    /// names this directory, and the process it names runs postgres, works in this directory and started no later
    /// than the file says. A stale file (a reboot, a killed run) may name any process, another cluster's postmaster
    /// included; a copied one names the original's.
    /// </summary>
    public static int? VerifiedPid(string dataDirectory)
    {
        if (ReadLines(Path.Combine(dataDirectory, Name)) is not [var pidLine, var directoryLine, var startLine, ..]
            || !int.TryParse(pidLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || directoryLine != dataDirectory
            || !long.TryParse(startLine, NumberStyles.None, CultureInfo.InvariantCulture, out var startSeconds))
            return null;
        return IsThePostmaster(pid, dataDirectory, DateTimeOffset.FromUnixTimeSeconds(startSeconds)) ? pid : null;
    }

    private static bool IsThePostmaster(int pid, string dataDirectory, DateTimeOffset started) =>
        LinuxProcess.IsAlive(pid)
        && LinuxProcess.Command(pid) == "postgres"
        && LinuxProcess.WorkingDirectory(pid) == dataDirectory
        && LinuxProcess.StartedNoLaterThan(pid, started);

    private static string[]? ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
