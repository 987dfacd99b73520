using Lifeboat.Redis.ServerRestore;

namespace Lifeboat.Tests.Redis;

/// <summary>
/// The EXISTS asked after the RESTORE of a key close to its expiry is settled into its database's counts as soon as
/// the window completes it: with millions of short-lived keys nothing is held until the end of the restore.
/// </summary>
public sealed class CommandWindowExpiryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_expiry_check_leaves_the_window_settled_as_restored_or_expired()
    {
        // The window is never asked to word a failure here: the target's connection is not needed.
        var window = new CommandWindow(new RestoreTarget(null!, "the target", _ => throw new InvalidOperationException()), maxCommands: 2, maxBytes: 1 << 20);
        var tally = new DatabaseTally(0) { Restored = 3 };

        await window.AddExpiryCheckAsync(Task.FromResult(false), tally, "EXISTS of key 'a'", Ct);
        await window.AddExpiryCheckAsync(Task.FromResult(true), tally, "EXISTS of key 'b'", Ct);
        await window.AddExpiryCheckAsync(Task.FromResult(false), tally, "EXISTS of key 'c'", Ct);
        var whileTwoAreInFlight = (tally.Restored, tally.Expired);
        await window.DrainAsync(Ct);

        Assert.Equal((2L, 1L), whileTwoAreInFlight);
        Assert.Equal((1L, 2L), (tally.Restored, tally.Expired));
    }
}
