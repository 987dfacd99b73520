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

    private static List<(string Name, int Policy)> Threads() => ThreadPolicies.Of("self");
}
