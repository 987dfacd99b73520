namespace Lifeboat.TestKit.Servers;

/// <summary>Sends a signal to a process whose pid the caller has verified (see <see cref="PostmasterPidFile"/>, <see cref="PrivateRedis"/>).</summary>
internal static class ProcessSignal
{
    /// <summary>Sends <paramref name="signal"/> (QUIT, TERM, KILL) to <paramref name="pid"/> and waits for the sending, not for the process to end.</summary>
    public static void SendNow(int pid, string signal) =>
        // The shell's builtin kill: .NET itself only sends SIGKILL, and a kill binary need not be installed.
        ExternalCommand.RunNow("/bin/sh", ["-c", $"kill -{signal} {pid}"], TimeSpan.FromSeconds(10));
}
