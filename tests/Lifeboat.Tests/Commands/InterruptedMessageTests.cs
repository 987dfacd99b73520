using Lifeboat.Cli.Commands;

namespace Lifeboat.Tests.Commands;

/// <summary>A command stopped by a signal says what it left behind, and only what is true of that command.</summary>
public sealed class InterruptedMessageTests
{
    [Fact]
    public void Defect_4_only_a_backup_says_that_no_backup_was_recorded_after_an_interruption()
    {
        Assert.Equal("interrupted by a signal; work in progress was cleaned up", CommandRunner.InterruptedMessage(null));
        Assert.Equal("interrupted by a signal; work in progress was cleaned up and no backup was recorded", CommandRunner.InterruptedMessage("no backup was recorded"));
    }
}
