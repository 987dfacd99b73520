namespace Lifeboat.TestKit.Servers;

/// <summary>Signals a daemon by the pid its pid file names, when it is still the program that wrote the file.</summary>
internal static class ProcessSignal
{
    /// <summary>Sends <paramref name="signal"/> (QUIT, TERM, KILL) to the pid on the first line of <paramref name="pidFile"/> if it runs <paramref name="program"/>.</summary>
    public static void SendNow(string pidFile, string program, string signal)
    {
        if (PidOf(pidFile, program) is not { } pid)
            return;
        // The shell's builtin kill: .NET itself only sends SIGKILL, and a kill binary need not be installed.
        ExternalCommand.RunNow("/bin/sh", ["-c", $"kill -{signal} {pid}"], TimeSpan.FromSeconds(10));
    }

    /// <summary>The pid in <paramref name="pidFile"/> when that process is alive and runs <paramref name="program"/>.</summary>
    public static int? PidOf(string pidFile, string program)
    {
        var firstLine = File.Exists(pidFile) ? File.ReadLines(pidFile).FirstOrDefault() : null;
        if (!int.TryParse(firstLine?.Trim(), out var pid))
            return null;
        return IsRunning(pid, program) ? pid : null;
    }

    /// <summary>True when process <paramref name="pid"/> exists, is not a zombie, and runs <paramref name="program"/>.</summary>
    public static bool IsRunning(int pid, string program)
    {
        try
        {
            var status = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ...": comm may hold spaces, the state follows the last ')'.
            var state = status[(status.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && File.ReadAllText($"/proc/{pid}/comm").Trim() == program;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
