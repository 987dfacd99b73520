using System.Globalization;
using System.Runtime.InteropServices;

namespace Lifeboat.IO;

/// <summary>
/// Linux scheduling policies of this process's threads. SCHED_IDLE runs a thread only on CPU time nothing else wants, and the
/// kernel counts a core that runs only such threads as idle when it places a waking thread. Leaving SCHED_IDLE needs
/// CAP_SYS_NICE (or an RLIMIT_NICE of 20), so it is only ever entered where it can be left again.
/// </summary>
internal static partial class IdleScheduling
{
    /// <summary>SCHED_OTHER: the normal time-sharing policy.</summary>
    public const int NormalPolicy = 0;

    /// <summary>SCHED_IDLE.</summary>
    public const int IdlePolicy = 5;

    private const int ResetOnFork = 0x40000000;

    // setpriority's "which" for one thread (Linux keeps the nice value per thread), and the highest nice value there is.
    private const int PrioProcess = 0;
    private const int LeastFavourableNice = 19;

    private static readonly Lazy<bool> Reversible = new(ProbeReversible);

    /// <summary>True when a thread of this process may enter SCHED_IDLE and leave it again (Linux, with the privilege to leave).</summary>
    public static bool CanEnterAndLeave => Reversible.Value;

    /// <summary>The calling thread's policy (<see cref="NormalPolicy"/>, <see cref="IdlePolicy"/>, …); -1 where it cannot be read.</summary>
    public static int PolicyOfCallingThread() => OperatingSystem.IsLinux() ? SchedGetScheduler(0) & ~ResetOnFork : -1;

    /// <summary>The calling thread's kernel id (from /proc/thread-self, which needs no gettid in libc).</summary>
    public static int CurrentThreadId()
    {
        var target = new FileInfo("/proc/thread-self").LinkTarget ?? throw new IOException("/proc/thread-self is not a link");
        return int.Parse(target[(target.LastIndexOf('/') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Puts every thread of the process but <paramref name="except"/> under <paramref name="policy"/>, again until two passes
    /// a moment apart find none left to change: a thread started meanwhile takes its creator's policy, and may show in
    /// /proc only after a pass has listed the others.
    /// </summary>
    public static void SetAllThreads(int policy, int except)
    {
        var quietPasses = 0;
        for (var pass = 0; pass < 50 && quietPasses < 2; pass++)
        {
            var changed = 0;
            foreach (var tid in ThreadIds())
            {
                // The policy's value without SCHED_RESET_ON_FORK (0x40000000), which sched_getscheduler may report with it.
                if (tid == except || (SchedGetScheduler(tid) & ~ResetOnFork) == policy)
                    continue;
                var parameter = 0;
                if (SchedSetScheduler(tid, policy, ref parameter) == 0)
                    changed++;
            }

            quietPasses = changed == 0 ? quietPasses + 1 : 0;
            if (quietPasses == 1)
                Thread.Sleep(1);
        }
    }

    private static IEnumerable<int> ThreadIds()
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
                yield return tid;
        }
    }

    // Leaving SCHED_IDLE is allowed exactly where the thread may lower its nice value back to what it is (the kernel's
    // can_nice: CAP_SYS_NICE or an RLIMIT_NICE that reaches it; SELinux asks the same setsched permission for both). So a
    // throwaway thread raises its nice by one, which needs nothing, and tries to go back: where that is refused, the
    // thread ends at the lower priority and nothing else is touched. Nothing enters SCHED_IDLE to find out: a probing
    // thread there can wait long for a CPU on a busy machine.
    private static bool ProbeReversible()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task") || !File.Exists("/proc/thread-self/stat"))
            return false;
        var reversible = false;
        var probe = new Thread(() => reversible = CanLowerNiceBackAgain()) { IsBackground = true, Name = "lifeboat probe" };
        probe.Start();
        probe.Join();
        return reversible;
    }

    private static bool CanLowerNiceBackAgain()
    {
        try
        {
            var thread = CurrentThreadId();
            var nice = GetPriority(PrioProcess, thread);
            if ((nice == -1 && Marshal.GetLastPInvokeError() != 0) || nice >= LeastFavourableNice)
                return false;
            return SetPriority(PrioProcess, thread, nice + 1) == 0 && SetPriority(PrioProcess, thread, nice) == 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return false;
        }
    }

    // With a thread id (0: the calling thread) both calls act on that thread alone: Linux keeps the policy per thread.
    [LibraryImport("libc", EntryPoint = "sched_setscheduler")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int SchedSetScheduler(int tid, int policy, ref int parameter);

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int GetPriority(int which, int who);

    [LibraryImport("libc", EntryPoint = "setpriority")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int SetPriority(int which, int who, int nice);

    [LibraryImport("libc", EntryPoint = "sched_getscheduler")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int SchedGetScheduler(int tid);
}
