using Lifeboat.IO;
using Lifeboat.TestKit;

namespace Lifeboat.Tests.IO;

// The whole test process is put under SCHED_IDLE for a moment: these tests run alone, so no other test's threads or child
// processes are caught in it.
[CollectionDefinition(nameof(YieldingToServerTests), DisableParallelization = true)]
public sealed class YieldingToServerCollection;

[Collection(nameof(YieldingToServerTests))]
public class YieldingToServerTests
{
    [Fact]
    public void While_yielding_every_thread_but_the_watchdog_runs_under_sched_idle_and_afterwards_none_does_not_even_one_started_meanwhile()
    {
        Assert.True(IdleScheduling.CanEnterAndLeave, "the tests run as root, who may leave SCHED_IDLE");
        using var parked = new ManualResetEventSlim();
        Thread startedMeanwhile;
        List<string> normalWhileYielding;
        using (var yielding = YieldingToServer.TryStart(() => false, cancellation: TestContext.Current.CancellationToken))
        {
            Assert.NotNull(yielding);
            Assert.Equal(IdleScheduling.IdlePolicy, IdleScheduling.PolicyOfCallingThread());
            // Whether a new thread inherits the policy depends on who creates it (the runtime's own threads do): it is put back either way.
            startedMeanwhile = new Thread(() => parked.Wait()) { Name = "meanwhile" };
            startedMeanwhile.Start();
            normalWhileYielding = Threads().Where(t => t.Policy != IdleScheduling.IdlePolicy).Select(t => t.Name).ToList();
        }

        Assert.Equal(["lifeboat yield"], normalWhileYielding.Where(name => name != "meanwhile"));
        Assert.DoesNotContain(Threads(), t => t.Policy == IdleScheduling.IdlePolicy);
        parked.Set();
        startedMeanwhile.Join();
    }

    [Fact]
    public void Falling_behind_puts_every_thread_back_under_the_normal_policy_and_says_so_once()
    {
        var behind = false;
        var told = 0;
        using var yielding = YieldingToServer.TryStart(() => Volatile.Read(ref behind), () => Interlocked.Increment(ref told), TestContext.Current.CancellationToken);
        Assert.NotNull(yielding);
        Assert.True(yielding.Yielding);

        // Three looks in a row, 50 ms apart, must find it behind: one slow moment is not falling behind.
        Volatile.Write(ref behind, true);
        var waited = 0;
        while (yielding.Yielding && waited++ < 400)
            Thread.Sleep(10);

        Assert.False(yielding.Yielding);
        Assert.Equal(IdleScheduling.NormalPolicy, IdleScheduling.PolicyOfCallingThread());
        Assert.DoesNotContain(Threads(), t => t.Policy == IdleScheduling.IdlePolicy);
        waited = 0;
        while (Volatile.Read(ref told) == 0 && waited++ < 400)
            Thread.Sleep(10);
        Thread.Sleep(3 * YieldingToServer.Interval);
        Assert.Equal(1, Volatile.Read(ref told));
    }

    [Fact]
    public void A_thread_still_idle_after_the_yielding_ended_early_is_put_back_when_it_is_disposed()
    {
        var yielding = YieldingToServer.TryStart(() => true, cancellation: TestContext.Current.CancellationToken);
        Assert.NotNull(yielding);
        var waited = 0;
        while (yielding.Yielding && waited++ < 400)
            Thread.Sleep(10);
        Assert.False(yielding.Yielding);

        // As a thread an idle one started in the last moment of the sweep would be: under SCHED_IDLE, unseen by it.
        using var parked = new ManualResetEventSlim();
        var tid = 0;
        var late = new Thread(() =>
        {
            Volatile.Write(ref tid, IdleScheduling.CurrentThreadId());
            parked.Wait();
        })
        { Name = "late" };
        late.Start();
        while (Volatile.Read(ref tid) == 0)
            Thread.Sleep(1);
        using (var chrt = System.Diagnostics.Process.Start("chrt", ["--idle", "--pid", "0", tid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            chrt.WaitForExit();
        Assert.Contains(Threads(), t => t is { Name: "late", Policy: IdleScheduling.IdlePolicy });

        yielding.Dispose();

        Assert.DoesNotContain(Threads(), t => t.Policy == IdleScheduling.IdlePolicy);
        parked.Set();
        late.Join();
    }

    private static List<(string Name, int Policy)> Threads() => ThreadPolicies.Of("self");
}
