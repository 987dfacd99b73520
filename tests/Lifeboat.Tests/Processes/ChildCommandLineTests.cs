using Lifeboat.Processes;

namespace Lifeboat.Tests.Processes;

/// <summary>The verbose line for a child: pasteable into a shell, and never carrying a secret.</summary>
public sealed class ChildCommandLineTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void The_line_is_the_variables_the_program_and_its_arguments_quoted_for_a_shell()
    {
        var environment = new Dictionary<string, string?> { ["PGHOST"] = "db.internal", ["PGOPTIONS"] = "-c synchronous_commit=off", ["DROPPED"] = null };

        var line = ChildCommandLine.Format("/usr/bin/pg_restore", ["--dbname=dbname='app'", "--jobs=2", "/tmp/a b"], environment);

        Assert.Equal("PGHOST=db.internal PGOPTIONS='-c synchronous_commit=off' /usr/bin/pg_restore '--dbname=dbname='\\''app'\\''' --jobs=2 '/tmp/a b'", line);
    }

    [Theory]
    [InlineData("PGPASSWORD")]
    [InlineData("AWS_SECRET_ACCESS_KEY")]
    [InlineData("REDISCLI_AUTH")]
    [InlineData("GITHUB_TOKEN")]
    public void A_variable_named_for_a_secret_shows_only_the_mask(string name)
    {
        var line = ChildCommandLine.Format("/bin/tool", [], new Dictionary<string, string?> { [name] = "s3cret-value" });

        Assert.Equal($"{name}=*** /bin/tool", line);
    }

    [Theory]
    [InlineData("postgresql://app:s3cret-value@db:5432/app", "'postgresql://app:***@db:5432/app'")]
    [InlineData("host=db password=s3cret-value dbname=app", "'host=db password=*** dbname=app'")]
    [InlineData("host=db password='s3cret value' dbname=app", "'host=db password=*** dbname=app'")]
    [InlineData("--dbname=postgres://u:s3cret-value@h/d", "'--dbname=postgres://u:***@h/d'")]
    public void A_password_inside_an_argument_is_masked(string argument, string shown)
    {
        var line = ChildCommandLine.Format("/bin/tool", [argument], NoEnvironment);

        Assert.Equal($"/bin/tool {shown}", line);
        Assert.DoesNotContain("s3cret", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_observer_sees_each_child_its_flow_starts_and_nothing_after_it_is_disposed()
    {
        var seen = new List<string>();
        using (ChildProcessObserver.Observe(seen.Add))
        {
            await using var child = ChildProcess.Start("/bin/sh", ["-c", "exit 0"], new Dictionary<string, string?> { ["PGPASSWORD"] = "s3cret-value" });
            await child.WaitAsync(TestContext.Current.CancellationToken);
        }

        await using (var after = ChildProcess.Start("/bin/true", [], NoEnvironment))
            await after.WaitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["PGPASSWORD=*** /bin/sh -c 'exit 0'"], seen);
    }
}
