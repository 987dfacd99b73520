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

    private static readonly Lazy<bool> Reversible = new(ProbeReversible);

    /// <summary>True when a thread of this process may enter SCHED_IDLE and leave it again (Linux, with the privilege to leave).</summary>
    public static bool CanEnterAndLeave => Reversible.Value;

    /// <summary>The calling thread's policy (<see cref="NormalPolicy"/>, <see cref="IdlePolicy"/>, …); -1 where it cannot be read.</summary>
    public static int PolicyOfCallingThread() => OperatingSystem.IsLinux() ? SchedGetScheduler(0) : -1;

    /// <summary>The calling thread's kernel id.</summary>
    public static int CurrentThreadId() => GetTid();

    /// <summary>
    /// Puts every thread of the process but <paramref name="except"/> under <paramref name="policy"/>, again until a pass
    /// finds none left to change (a thread may start another meanwhile); returns how many were changed.
    /// </summary>
    public static int SetAllThreads(int policy, int except)
    {
        var changed = 0;
        for (var pass = 0; pass < 10; pass++)
        {
            var thisPass = 0;
            foreach (var tid in ThreadIds())
            {
                if (tid == except || SchedGetScheduler(tid) == policy)
                    continue;
                var parameter = 0;
                if (SchedSetScheduler(tid, policy, ref parameter) == 0)
                    thisPass++;
            }

            changed += thisPass;
            if (thisPass == 0)
                break;
        }

        return changed;
    }

    private static IEnumerable<int> ThreadIds()
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
                yield return tid;
        }
    }

    // A throwaway thread enters SCHED_IDLE and tries to leave it: that is the only exact test of the privilege to leave.
    private static bool ProbeReversible()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        var reversible = false;
        var probe = new Thread(() =>
        {
            var parameter = 0;
            if (SchedSetScheduler(0, IdlePolicy, ref parameter) != 0)
                return;
            reversible = SchedSetScheduler(0, NormalPolicy, ref parameter) == 0;
        }) { IsBackground = true, Name = "lifeboat probe" };
        probe.Start();
        probe.Join();
        return reversible;
    }

    // With a thread id (0: the calling thread) both calls act on that thread alone: Linux keeps the policy per thread.
    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int tid, int policy, ref int parameter);

    [LibraryImport("libc", EntryPoint = "sched_getscheduler")]
    private static partial int SchedGetScheduler(int tid);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
