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
    public void A_shell_script_is_never_shown_only_its_name_and_length()
    {
        const string script = "APP_DB_PASSWORD=hunter2 ./migrate --db-password hunter2";

        var line = ChildCommandLine.Format("/bin/sh", ["-c", script], new Dictionary<string, string?> { ["PGPASSWORD"] = "hunter2" }, "postRestore command");

        Assert.Equal($"PGPASSWORD=*** /bin/sh -c <postRestore command, {script.Length} characters>", line);
    }

    [Theory]
    [InlineData("bash", "-ec")]
    [InlineData("/usr/bin/dash", "-c")]
    public void Any_shell_s_c_script_is_hidden_whatever_its_options(string shell, string flag) =>
        Assert.Equal($"{shell} {flag} <shell script, 12 characters>", ChildCommandLine.Format(shell, [flag, "echo hunter2"], NoEnvironment));

    [Fact]
    public void A_c_flag_of_a_tool_that_is_not_a_shell_is_an_ordinary_argument() =>
        Assert.Equal("/usr/bin/pg_restore -c --jobs=2", ChildCommandLine.Format("/usr/bin/pg_restore", ["-c", "--jobs=2"], NoEnvironment));

    [Theory]
    [InlineData("APP_DB_PASSWORD=hunter2", "'APP_DB_PASSWORD=***'")]
    [InlineData("--password=hunter2", "'--password=***'")]
    [InlineData("--db-password=hunter2", "'--db-password=***'")]
    [InlineData("api_key=\"hunter2 x\"", "'api_key=***'")]
    [InlineData("env GITHUB_TOKEN=hunter2 ./deploy", "'env GITHUB_TOKEN=*** ./deploy'")]
    [InlineData("--dbname=password=hunter2", "'--dbname=password=***'")]
    [InlineData("Authorization: Bearer hunter2", "'Authorization: Bearer ***'")]
    [InlineData("authorization:Basic hunter2", "'authorization:Basic ***'")]
    [InlineData("postgres://app:hun@ter2@db:5432/app", "'postgres://app:***@db:5432/app'")]
    [InlineData("redis://:hunter2@cache:6379", "'redis://:***@cache:6379'")]
    public void A_secret_named_or_placed_as_one_inside_an_argument_is_masked(string argument, string shown)
    {
        var line = ChildCommandLine.Format("/bin/tool", [argument], NoEnvironment);

        Assert.Equal($"/bin/tool {shown}", line);
        Assert.DoesNotContain("hunter2", line, StringComparison.Ordinal);
        Assert.DoesNotContain("ter2", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--password")]
    [InlineData("--db-password")]
    [InlineData("-password")]
    [InlineData("--api-token")]
    public void The_value_after_a_flag_named_for_a_secret_is_masked(string flag) =>
        Assert.Equal($"/bin/tool {flag} *** --verbose", ChildCommandLine.Format("/bin/tool", [flag, "hunter2", "--verbose"], NoEnvironment));

    [Fact]
    public void A_flag_that_only_names_a_secret_masks_nothing_after_it() =>
        Assert.Equal(
            "/usr/bin/pg_dump --no-password --dbname=app --password --verbose",
            ChildCommandLine.Format("/usr/bin/pg_dump", ["--no-password", "--dbname=app", "--password", "--verbose"], NoEnvironment));

    [Fact]
    public void Settings_whose_names_hold_no_secret_are_shown() =>
        Assert.Equal(
            "/bin/tool PGOPTIONS=-c 'dbname=app user=ops'",
            ChildCommandLine.Format("/bin/tool", ["PGOPTIONS=-c", "dbname=app user=ops"], NoEnvironment));

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

        Assert.Equal(["PGPASSWORD=*** /bin/sh -c <shell script, 6 characters>"], seen);
    }
}
