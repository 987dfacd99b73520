using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Configuration;

namespace Lifeboat.IntegrationTests.Cli;

public sealed class CliBasicsTests
{
    [Fact]
    public async Task An_unknown_command_exits_2()
    {
        var result = await Infrastructure.Cli.RunAsync("bakup");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("bakup", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelled_configuration_key_exits_2_naming_key_and_file()
    {
        var dir = Directory.CreateTempSubdirectory("lifeboat-cli-").FullName;
        var config = new LifeboatConfigBuilder().Set("repository.ulr", "/tmp/x").WriteTo(Path.Combine(dir, "lifeboat.yaml"));

        var result = await Infrastructure.Cli.RunAsync("--config", config, "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("repository.ulr", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(config, result.Stderr, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Init_creates_a_key_file_readable_only_by_its_owner_and_refuses_an_existing_repository()
    {
        var dir = Directory.CreateTempSubdirectory("lifeboat-cli-").FullName;
        var config = new LifeboatConfigBuilder().RepositoryUrl("./repo").KeyFile("./repo.key").WriteTo(Path.Combine(dir, "lifeboat.yaml"));

        var first = await Infrastructure.Cli.RunAsync("--config", config, "init");
        var second = await Infrastructure.Cli.RunAsync("--config", config, "init");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "repo.key")));
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("already exists", second.Stderr, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Commands_on_a_missing_repository_say_to_run_init()
    {
        var dir = Directory.CreateTempSubdirectory("lifeboat-cli-").FullName;
        var config = new LifeboatConfigBuilder().RepositoryUrl("./nothing-here").WriteTo(Path.Combine(dir, "lifeboat.yaml"));

        var result = await Infrastructure.Cli.RunAsync("--config", config, "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("does not exist", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("lifeboat init", result.Stderr, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }
}
