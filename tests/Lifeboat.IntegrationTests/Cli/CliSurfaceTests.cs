using System.Text.RegularExpressions;
using Lifeboat.IntegrationTests.Infrastructure;

namespace Lifeboat.IntegrationTests.Cli;

/// <summary>The command line's own surface, as an operator meets it: usage errors, usage, version, verbose mode.</summary>
public sealed class CliSurfaceTests
{
    [Fact]
    public async Task A_mistyped_command_is_one_line_with_did_you_mean_and_exit_2()
    {
        var result = await Infrastructure.Cli.RunAsync("restor");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("lifeboat: error: unknown command 'restor'. hint: did you mean 'restore'?\n", result.Stderr);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_says_what_the_option_takes_in_one_line()
    {
        var result = await Infrastructure.Cli.RunAsync("restore", "postgres", "-j", "abc", "--bogus");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("lifeboat: error: ", line, StringComparison.Ordinal);

        var jobs = await Infrastructure.Cli.RunAsync("restore", "postgres", "-j", "abc");
        Assert.Equal("lifeboat: error: --jobs takes a whole number, not 'abc'. hint: see 'lifeboat restore postgres --help'\n", jobs.Stderr);
    }

    [Fact]
    public async Task An_option_typed_before_its_subcommand_says_where_it_belongs_and_version_with_other_arguments_says_so()
    {
        var misplaced = await Infrastructure.Cli.RunAsync("backup", "--dry-run", "postgres");
        var version = await Infrastructure.Cli.RunAsync("-v", "--version");

        Assert.Equal(2, misplaced.ExitCode);
        Assert.Equal("lifeboat: error: '--dry-run' belongs after 'postgres': lifeboat backup postgres --dry-run. hint: see 'lifeboat backup postgres --help'\n", misplaced.Stderr);
        Assert.Equal(2, version.ExitCode);
        Assert.Equal("lifeboat: error: --version cannot be combined with other arguments. hint: see 'lifeboat --help'\n", version.Stderr);
    }

    [Fact]
    public async Task Bare_lifeboat_prints_the_usage_on_stderr_and_exits_2()
    {
        var result = await Infrastructure.Cli.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Contains("Usage:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("restore", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_names_the_version_commit_build_date_and_runtime()
    {
        var result = await Infrastructure.Cli.RunAsync("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^lifeboat \d+\.\d+\.\d+\S* \(commit ([0-9a-f]{7,}(-dirty)?|unknown), built \d{4}-\d{2}-\d{2}\) \.NET \d+\.\d+\.\d+\S* linux-x64\n$", result.Stdout);
    }

    [Fact]
    public async Task Version_names_the_commit_it_was_built_from_marked_dirty_when_the_tree_had_changes_and_unknown_only_without_git()
    {
        var result = await Infrastructure.Cli.RunAsync("--version");
        var commit = Regex.Match(result.Stdout, @"commit ([\w-]+)").Groups[1].Value;

        var (found, head) = await GitOutputAsync("rev-parse", "--short=7", "HEAD");
        if (found != 0)
        {
            Assert.Equal("unknown", commit);
            return;
        }

        // The tests run what was just built from this tree: its commit, and "-dirty" while tracked files differ from it.
        var (_, changes) = await GitOutputAsync("status", "--porcelain", "--untracked-files=no");
        Assert.Equal(changes.Length == 0 ? head : $"{head}-dirty", commit);
    }

    [Fact]
    public async Task Invalid_yaml_in_the_configuration_is_one_line_naming_its_line_and_column()
    {
        var dir = Directory.CreateTempSubdirectory("lifeboat-cli-").FullName;
        var config = Path.Combine(dir, "lifeboat.yaml");
        await File.WriteAllTextAsync(config, "repository:\n  url: ./repo\n   keyFile: ./repo.key\n", TestContext.Current.CancellationToken);

        var result = await Infrastructure.Cli.RunAsync("--config", config, "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"lifeboat: error: configuration file {config} is not valid YAML: line 3, column 11: while scanning a plain scalar value, found invalid mapping. " +
            "hint: fix the file at line 3; indent with spaces, and put each 'key: value' on its own line\n",
            result.Stderr);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Verbose_logs_each_tool_command_line_and_never_the_password()
    {
        await using var database = await TestDatabase.CreateAsync("cliverbose", "CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 50);");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));

        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--verbose");
        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "-v", "--jobs", "2", "--target-db", database.Companion("restored"));
        var quiet = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres");

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Matches(@"(?m)^\S+Z DEBUG run: .*PGPASSWORD=\*\*\* .*PGUSER=\S+ \S*/pg_dump --format=custom ", backup.Stderr);
        Assert.Matches(@"(?m)^\S+Z DEBUG run: .*\S*/pg_restore .*--section=pre-data", restore.Stderr);
        Assert.Matches(@"(?m)^\S+Z DEBUG run: .*\S*/pg_restore .*--jobs=2", restore.Stderr);
        Assert.Matches(@"(?m)^\S+Z INFO pg_restore --jobs 2: finished, (\d+) of \1 items$", restore.Stderr);
        foreach (var output in new[] { backup.Stdout, backup.Stderr, restore.Stdout, restore.Stderr })
            Assert.DoesNotContain(TestEnvironment.PgPassword, output, StringComparison.Ordinal);
        Assert.DoesNotContain("DEBUG run:", quiet.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_names_the_post_restore_command_by_its_length_and_never_prints_its_text()
    {
        const string postRestore = "APP_DB_PASSWORD=hunter2 true --db-password hunter2";
        await using var database = await TestDatabase.CreateAsync("cliverbosepost", "CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 5);");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app") with { PostRestore = postRestore });
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "-v", "--target-db", database.Companion("restored"));

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Matches($@"(?m)^\S+Z DEBUG run: .*PGPASSWORD=\*\*\* .*/bin/sh -c <postRestore command, {postRestore.Length} characters>$", restore.Stderr);
        Assert.DoesNotContain("hunter2", restore.Stderr + restore.Stdout, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> GitOutputAsync(params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        try
        {
            using var git = System.Diagnostics.Process.Start(info)!;
            var output = await git.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await git.WaitForExitAsync(TestContext.Current.CancellationToken);
            return (git.ExitCode, output.Trim());
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, ""); // no git installed
        }
    }
}
