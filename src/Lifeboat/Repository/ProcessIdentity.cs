using System.Globalization;
using System.Security.Cryptography;

namespace Lifeboat.Repository;

/// <summary>
/// Who a lock's holder is, in terms that survive pid reuse: a container restarted on the same node runs its
/// new process as pid 1 again, so a pid alone would take a dead holder's lock for this process's own. The kernel's
/// boot id and the process's start time (in clock ticks since boot) tell the old holder from the new process.
/// </summary>
public static class ProcessIdentity
{
    /// <summary>A random token naming this process in lock records.</summary>
    public static string Token { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>This kernel's boot id, or null where /proc does not tell it.</summary>
    public static string? BootId { get; } = ReadBootId();

    /// <summary>When this process started, in clock ticks since boot, or null where /proc does not tell it.</summary>
    public static long? StartTicks { get; } = StartTicksOf(Environment.ProcessId);

    /// <summary>True when a process with <paramref name="pid"/> runs on this kernel and started at <paramref name="startTicks"/> (when known); a zombie counts as gone.</summary>
    public static bool IsAlive(int pid, long? startTicks)
    {
        var stat = ReadStat(pid);
        if (stat is null)
            return false;
        if (stat.Value.State == 'Z')
            return false;
        return startTicks is null || stat.Value.StartTicks == startTicks;
    }

    /// <summary>The start time of <paramref name="pid"/> in clock ticks since boot, or null when there is no such process.</summary>
    public static long? StartTicksOf(int pid) => ReadStat(pid)?.StartTicks;

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

    // /proc/<pid>/stat: "pid (comm) state ppid … starttime …"; comm may hold spaces and parentheses, so fields are
    // counted from the last ')'. starttime is field 22, the 20th after it.
    private static (char State, long StartTicks)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var fields = text[(text.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20 || fields[0].Length != 1)
            return null;
        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? (fields[0][0], ticks) : null;
    }
}
