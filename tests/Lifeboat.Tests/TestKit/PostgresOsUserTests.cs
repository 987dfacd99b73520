using Lifeboat.TestKit.Servers;

namespace Lifeboat.Tests.TestKit;

public sealed class PostgresOsUserTests
{
    [Fact]
    public async Task A_program_run_as_the_servers_user_starts_in_the_root_directory_not_the_test_hosts()
    {
        var directory = await PostgresOsUser.RunAsync("pwd", [], TestContext.Current.CancellationToken);

        Assert.Equal("/", directory.Trim());
    }
}
