namespace Lifeboat.IO;

/// <summary>
/// While a server streams a snapshot to us, puts the whole process under SCHED_IDLE, so our work runs on the CPU the server
/// leaves spare and never takes a core from it (on a small machine the server's own threads otherwise land on its busy
/// core: bench/results/redis-2026-12-04-fork-contention.md). A watchdog thread of normal priority checks every
/// <see cref="Interval"/> whether we fall behind (<c>behind</c> says so, e.g. bytes waiting in the socket); if so, or when
/// disposed, every thread goes back to the normal policy. Only where the process may leave SCHED_IDLE again
/// (<see cref="IdleScheduling.CanEnterAndLeave"/>): elsewhere nothing changes.
/// </summary>
internal sealed class YieldingToServer : IDisposable
{
    /// <summary>How often the watchdog looks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly Func<bool> behind;
    private readonly Action? onBehind;
    private readonly ManualResetEventSlim stop = new(initialState: false, spinCount: 0);
    private readonly Thread watchdog;
    private readonly Lock gate = new();
    private int watchdogId;
    private bool yielding;

    private YieldingToServer(Func<bool> behind, Action? onBehind)
    {
        this.behind = behind;
        this.onBehind = onBehind;
        using var started = new ManualResetEventSlim();
        watchdog = new Thread(() =>
        {
            watchdogId = IdleScheduling.CurrentThreadId();
            started.Set();
            Watch();
        }) { IsBackground = true, Name = "lifeboat yield" };
        watchdog.Start();
        started.Wait();
        lock (gate)
        {
            IdleScheduling.SetAllThreads(IdleScheduling.IdlePolicy, except: watchdogId);
            yielding = true;
        }
    }

    /// <summary>True while the process yields; false once it fell behind or was disposed.</summary>
    public bool Yielding
    {
        get
        {
            lock (gate)
                return yielding;
        }
    }

    /// <summary>Starts yielding where the process may stop again; null (nothing changed) elsewhere.</summary>
    public static YieldingToServer? TryStart(Func<bool> behind, Action? onBehind = null) =>
        IdleScheduling.CanEnterAndLeave ? new YieldingToServer(behind, onBehind) : null;

    /// <summary>Puts every thread back under the normal policy and stops the watchdog.</summary>
    public void Dispose()
    {
        Restore();
        stop.Set();
        watchdog.Join();
        stop.Dispose();
    }

    private void Watch()
    {
        while (!stop.Wait(Interval))
        {
            if (!behind())
                continue;
            if (Restore())
                onBehind?.Invoke();
            return;
        }
    }

    // True when this call ended the yielding.
    private bool Restore()
    {
        lock (gate)
        {
            if (!yielding)
                return false;
            yielding = false;
            IdleScheduling.SetAllThreads(IdleScheduling.NormalPolicy, except: watchdogId);
            return true;
        }
    }
}
