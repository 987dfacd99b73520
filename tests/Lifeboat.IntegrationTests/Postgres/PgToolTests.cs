using Lifeboat.Postgres;

namespace Lifeboat.IntegrationTests.Postgres;

public sealed class PgToolTests
{
    // The devstack installs PostgreSQL from Debian, whose /usr/bin/pg_dump is the Perl pg_wrapper.
    [Theory]
    [InlineData("pg_dump")]
    [InlineData("pg_restore")]
    public async Task Without_a_bin_dir_debians_wrapper_is_skipped_for_the_newest_versioned_binary(string name)
    {
        Assert.Equal("pg_wrapper", Path.GetFileName(new FileInfo($"/usr/bin/{name}").LinkTarget));

        var tool = await PgTool.LocateAsync(name, binDir: null, TestContext.Current.CancellationToken);

        Assert.Equal($"/usr/lib/postgresql/{tool.Major}/bin/{name}", tool.Path);
        Assert.True(tool.Major >= 15, tool.VersionText);
    }

    [Fact]
    public async Task A_bin_dir_is_used_as_given()
    {
        var tool = await PgTool.LocateAsync("pg_dump", "/usr/bin", TestContext.Current.CancellationToken);

        Assert.Equal("/usr/bin/pg_dump", tool.Path);
    }
}
