using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Lifeboat.Repository;

/// <summary>
/// Who a lock's holder is, in terms that survive pid reuse: a container restarted on the same node runs its
/// new process as pid 1 again, so a pid alone would take a dead holder's lock for this process's own. The kernel's
/// boot id and the process's start time (in clock ticks since boot) tell the old holder from the new process, and
/// the pid namespace says whether this process can see the holder's pid at all (a sidecar container shares the
/// host name and the kernel, not the pids).
/// </summary>
public static partial class ProcessIdentity
{
    /// <summary>A random token naming this process in lock records.</summary>
    public static string Token { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>This kernel's boot id, or null where /proc does not tell it.</summary>
    public static string? BootId { get; } = ReadBootId();

    /// <summary>When this process started, in clock ticks since boot, or null where /proc does not tell it.</summary>
    public static long? StartTicks { get; } = StartTicksOf(Environment.ProcessId);

    /// <summary>This process's pid namespace (e.g. "pid:[4026531836]"), or null where /proc does not tell it.</summary>
    public static string? PidNamespace { get; } = ReadPidNamespace();

    /// <summary>
    /// False only when this process can tell that <paramref name="pid"/> (in its own pid namespace) is gone: no such
    /// process, a zombie, or one that started at another time than <paramref name="startTicks"/>. A process it may not
    /// look at (/proc mounted with hidepid) counts as alive: a live holder must never be taken for a dead one.
    /// </summary>
    public static bool IsAlive(int pid, long? startTicks)
    {
        // /proc mounted with hidepid=invisible hides other users' processes as if they did not exist; the kernel's own
        // answer to a null signal does not: no such process (ESRCH), or one this user may not signal (EPERM).
        if (pid <= 0 || (Kill(pid, 0) != 0 && Marshal.GetLastPInvokeError() == NoSuchProcess))
            return false;
        // It exists; when /proc will not say more (hidden, or unreadable), a live holder must not be taken for gone.
        var (state, stat) = ReadStat(pid);
        if (state != StatState.Read)
            return true;
        if (stat.State == 'Z')
            return false;
        return startTicks is null || stat.StartTicks == startTicks;
    }

    /// <summary>The start time of <paramref name="pid"/> in clock ticks since boot, or null when it cannot be read.</summary>
    public static long? StartTicksOf(int pid) => ReadStat(pid) is (StatState.Read, var stat) ? stat.StartTicks : null;

    private const int NoSuchProcess = 3; // ESRCH

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Kill(int pid, int signal);

    private enum StatState
    {
        Read,
        Missing,
        Unreadable,
    }

    private static string? ReadBootId()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadPidNamespace()
    {
        try
        {
            return new FileInfo("/proc/self/ns/pid").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // /proc/<pid>/stat: "pid (comm) state ppid … starttime …"; comm may hold spaces and parentheses, so fields are
    // counted from the last ')'. starttime is field 22, the 20th after it.
    private static (StatState, (char State, long StartTicks)) ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return (StatState.Missing, default);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (StatState.Unreadable, default);
        }

        var fields = text[(text.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20 || fields[0].Length != 1 || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            return (StatState.Unreadable, default);
        return (StatState.Read, (fields[0][0], ticks));
    }
}
