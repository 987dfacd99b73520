namespace Lifeboat.TestKit.Servers;

/// <summary>
/// The lock a test process holds on the file <see cref="FileName"/> in its run directory for as long as it lives: a
/// run directory is abandoned exactly when its lock can be taken. Unlike a pid, the lock cannot outlive its process
/// nor be mistaken for another's after a reboot, and it means the same in every PID namespace sharing the directory.
/// </summary>
/// <remarks>
/// On Linux .NET takes FileShare.None as flock(LOCK_EX | LOCK_NB), which the kernel drops when the process ends,
/// however it ends; the files are opened close-on-exec, so the servers the run starts do not inherit the lock.
/// </remarks>
internal static class RunLock
{
    /// <summary>The lock file's name in a run directory.</summary>
    public const string FileName = "run.lock";

    /// <summary>Set when .NET was told to take no file locks: then no lock is ever held, and none can be trusted.</summary>
    public static bool LockingIsOff =>
        AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var off) ? off
        : Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true";

    /// <summary>The lock file of <paramref name="runDirectory"/>.</summary>
    public static string PathIn(string runDirectory) => Path.Combine(runDirectory, FileName);

    /// <summary>Creates the lock file of a new run directory and takes its lock, to hold until the process ends.</summary>
    public static FileStream Take(string runDirectory) =>
        new(PathIn(runDirectory), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);

    /// <summary>Takes the lock of an existing run directory; null when another process holds it or the file is gone.</summary>
    public static FileStream? TryTakeExisting(string runDirectory)
    {
        try
        {
            return new FileStream(PathIn(runDirectory), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
