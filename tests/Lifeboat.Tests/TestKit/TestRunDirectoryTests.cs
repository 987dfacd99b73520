using Lifeboat.TestKit.Servers;

namespace Lifeboat.Tests.TestKit;

public sealed class TestRunDirectoryTests
{
    [Fact]
    public void This_processs_run_directory_stays_locked_while_the_process_lives()
    {
        var run = TestRunDirectory.Path;

        using var taken = RunLock.TryTakeExisting(run);

        Assert.Null(taken);
    }
}
