using System.Globalization;

namespace Lifeboat.TestKit.Servers;

/// <summary>
/// What /proc tells of a process: enough to be sure that a pid read from a pid file still names the process that
/// wrote it, and not one that got the number later or lives in another PID namespace.
/// </summary>
internal static class LinuxProcess
{
    // USER_HZ, the unit of /proc/PID/stat's start time: fixed at 100 by the kernel's ABI on x86 and ARM.
    private const double ClockTicksPerSecond = 100;

    // Field 22 of /proc/PID/stat (starttime), counted from the state, field 3, which follows the command's ')'.
    private const int StartTimeAfterState = 22 - 3;

    // Both /proc's boot time and a pid file's time are whole seconds; either may be up to a second early.
    private static readonly TimeSpan ClockRounding = TimeSpan.FromSeconds(3);

    /// <summary>True when process <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid) => StatFieldsAfterCommand(pid) is [var state, ..] && state != "Z";

    /// <summary>Waits until process <paramref name="pid"/> is gone, at most <paramref name="timeout"/>; true when it is.</summary>
    public static bool WaitUntilEnded(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            Thread.Sleep(20);
        }

        return true;
    }

    /// <summary>The process's command name (/proc/PID/comm), or null when it is gone.</summary>
    public static string? Command(int pid) => ReadOrNull($"/proc/{pid}/comm")?.Trim();

    /// <summary>The process's current directory with every symbolic link resolved, or null when it is gone or hidden from this user.</summary>
    public static string? WorkingDirectory(int pid)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// False only when the process provably started after <paramref name="time"/>, as a process that got a pid
    /// after its owner ended did: unknown start times pass.
    /// </summary>
    public static bool StartedNoLaterThan(int pid, DateTimeOffset time) =>
        StartTime(pid) is not { } started || started <= time + ClockRounding;

    /// <summary>When the process started, from its start in clock ticks after boot and the boot time; null when unknown.</summary>
    public static DateTimeOffset? StartTime(int pid)
    {
        if (StatFieldsAfterCommand(pid) is not { Length: > StartTimeAfterState } fields
            || !long.TryParse(fields[StartTimeAfterState], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || BootTime() is not { } booted)
            return null;
        return booted + TimeSpan.FromSeconds(ticks / ClockTicksPerSecond);
    }

    // "pid (comm) state ...": comm may hold spaces and parentheses, so the fields start after the last ')'.
    private static string[]? StatFieldsAfterCommand(int pid) =>
        ReadOrNull($"/proc/{pid}/stat") is { } stat
            ? stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : null;

    private static DateTimeOffset? BootTime()
    {
        var line = ReadOrNull("/proc/stat")?.Split('\n').FirstOrDefault(l => l.StartsWith("btime ", StringComparison.Ordinal));
        return long.TryParse(line?["btime ".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
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
