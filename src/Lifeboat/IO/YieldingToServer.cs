namespace Lifeboat.IO;

/// <summary>
/// While a server streams a snapshot to us, puts the whole process under SCHED_IDLE, so our work runs on the CPU the server
/// leaves spare and never takes a core from it (on a small machine the server's own threads otherwise land on its busy
/// core: bench/results/redis-2026-12-04-fork-contention.md). A watchdog thread of normal priority looks every
/// <see cref="Interval"/>: once <c>behind</c> has held for <see cref="BehindSamples"/> looks in a row (bytes waiting in the
/// socket, say), or on cancellation, or when disposed, every thread goes back to the normal policy for good. Only where the
/// process may leave SCHED_IDLE again (<see cref="IdleScheduling.CanEnterAndLeave"/>) and runs under the normal policy now
/// (a job started under chrt or a systemd CPUSchedulingPolicy keeps its own): elsewhere nothing changes.
/// </summary>
internal sealed class YieldingToServer : IDisposable
{
    /// <summary>How often the watchdog looks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Looks in a row that must find us behind before the yielding ends: one slow moment is not falling behind.</summary>
    public const int BehindSamples = 3;

    private readonly Func<bool> behind;
    private readonly Action? onBehind;
    private readonly CancellationToken cancellation;
    private readonly ManualResetEventSlim stop = new(initialState: false, spinCount: 0);
    private readonly Lock gate = new();
    private Thread? watchdog;
    private int watchdogId;
    private bool yielding;
    private bool disposed;

    private YieldingToServer(Func<bool> behind, Action? onBehind, CancellationToken cancellation)
    {
        this.behind = behind;
        this.onBehind = onBehind;
        this.cancellation = cancellation;
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

    /// <summary>Starts yielding where the process may stop again; null (nothing changed) elsewhere, or when it could not start.</summary>
    public static YieldingToServer? TryStart(Func<bool> behind, Action? onBehind = null, CancellationToken cancellation = default)
    {
        if (!IdleScheduling.CanEnterAndLeave || IdleScheduling.PolicyOfCallingThread() != IdleScheduling.NormalPolicy)
            return null;
        var started = new YieldingToServer(behind, onBehind, cancellation);
        try
        {
            started.Start();
            return started;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            started.Dispose();
            return null;
        }
        catch
        {
            // Whatever else failed, no thread may stay idle and the watchdog must end.
            started.Dispose();
            throw;
        }
    }

    /// <summary>Puts every thread back under the normal policy and stops the watchdog.</summary>
    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        try
        {
            Restore();
        }
        finally
        {
            stop.Set();
            watchdog?.Join();
            stop.Dispose();
        }
    }

    private void Start()
    {
        using var started = new ManualResetEventSlim();
        Exception? failed = null;
        watchdog = new Thread(() =>
        {
            try
            {
                watchdogId = IdleScheduling.CurrentThreadId();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                failed = e;
            }

            started.Set();
            if (failed is null)
                Watch();
        })
        { IsBackground = true, Name = "lifeboat yield" };
        watchdog.Start();
        started.Wait();
        if (failed is not null)
            throw failed;
        lock (gate)
        {
            yielding = true;
            IdleScheduling.SetAllThreads(IdleScheduling.IdlePolicy, except: watchdogId);
        }
    }

    // On the watchdog's own thread, which stays under the normal policy: it does the restoring whenever it can, since a
    // starved idle thread would be slow to.
    private void Watch()
    {
        var behindFor = 0;
        while (!stop.Wait(Interval))
        {
            try
            {
                behindFor = behind() ? behindFor + 1 : 0;
                if (behindFor < BehindSamples && !cancellation.IsCancellationRequested)
                    continue;
                if (Restore() && behindFor >= BehindSamples)
                    onBehind?.Invoke();
            }
            catch (Exception)
            {
                // Whatever failed, the process must not stay idle: put it back and stop watching.
                TryRestore(force: false);
            }

            break;
        }

        // Disposed (waited for when the yielding ended early): sweep once more, after a thread an idle one started in the
        // last moment of a sweep has surely shown itself.
        stop.Wait();
        TryRestore(force: true);
    }

    // On the watchdog's thread an exception would end the process: a sweep that fails leaves the threads it reached.
    private void TryRestore(bool force)
    {
        try
        {
            Restore(force);
        }
        catch (Exception)
        {
            // Nothing else can put the threads back; the next sweep (or the process's end) may.
        }
    }

    // True when this call ended the yielding.
    private bool Restore(bool force = false)
    {
        lock (gate)
        {
            if (!yielding && !force)
                return false;
            var ended = yielding;
            IdleScheduling.SetAllThreads(IdleScheduling.NormalPolicy, except: -1);
            yielding = false;
            return ended;
        }
    }
}
