using System.Diagnostics;
using Lifeboat.IntegrationTests.Infrastructure;

namespace Lifeboat.IntegrationTests.Cli;

/// <summary>'lifeboat completion': the scripts are valid and, sourced into a shell, complete from the executable's command tree.</summary>
public sealed class CliCompletionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_bash_script_passes_bash_n()
    {
        var script = await ScriptAsync("bash");

        var (exitCode, _, stderr) = await BashAsync(["-n", script]);

        Assert.True(exitCode == 0, stderr);
    }

    [Theory]
    [InlineData("res", "restore")]
    [InlineData("key re", "remove")]
    [InlineData("restore postgres --jo", "--jobs")]
    [InlineData("completion z", "zsh")]
    [InlineData("-v li", "list")]
    [InlineData("restore postgres --dry-run --f", "--force")]
    [InlineData("--json unlock --a", "--all")]
    public async Task The_bash_script_sourced_completes_commands_subcommands_and_options(string typed, string expected)
    {
        var script = await ScriptAsync("bash");
        var line = $"{Infrastructure.Cli.Executable} {typed}";
        var words = line.Split(' ');
        var program = $$"""
            source '{{script}}'
            COMP_WORDS=({{string.Join(' ', words.Select(w => $"'{w}'"))}})
            COMP_CWORD={{words.Length - 1}}
            COMP_LINE='{{line}}'
            COMP_POINT={{line.Length}}
            _lifeboat_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;

        var (exitCode, stdout, stderr) = await BashAsync(["-c", program]);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal([expected], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task The_bash_script_at_an_option_with_its_value_after_an_equals_sign_asks_without_an_error()
    {
        var script = await ScriptAsync("bash");
        var dir = Directory.CreateTempSubdirectory("lifeboat-completion-").FullName;
        var errors = Path.Combine(dir, "errors");
        // Stands in for the executable, keeping what it writes on stderr, which the script itself throws away.
        var wrapper = Path.Combine(dir, "lifeboat");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec '{Infrastructure.Cli.Executable}' \"$@\" 2>>'{errors}'\n", Ct);
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        const string line = "lifeboat check --read-data=1";
        var program = $$"""
            source '{{script}}'
            COMP_WORDS=('{{wrapper}}' check --read-data = 1)
            COMP_CWORD=4
            COMP_LINE='{{line}}'
            COMP_POINT={{line.Length}}
            _lifeboat_complete
            """;

        // compgen fails when it has nothing to offer, as here: only what reached stderr tells.
        var (_, _, stderr) = await BashAsync(["-c", program]);

        Assert.Equal("", stderr);
        Assert.True(File.Exists(errors), "the stand-in was not called");
        Assert.Equal("", await File.ReadAllTextAsync(errors, Ct));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task The_bash_script_registers_completion_for_lifeboat()
    {
        var script = await ScriptAsync("bash");

        var (_, stdout, _) = await BashAsync(["-c", $"source '{script}'; complete -p lifeboat"]);

        Assert.Equal("complete -o default -F _lifeboat_complete lifeboat", stdout.Trim());
    }

    [Fact]
    public async Task The_zsh_script_asks_the_executable_at_the_cursor_and_registers_with_compdef()
    {
        var result = await Infrastructure.Cli.RunAsync("completion", "zsh");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("#compdef lifeboat\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"[suggest:${#line}]\" \"$line\"", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("compdef _lifeboat lifeboat", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_shell_is_a_usage_error_naming_the_shells()
    {
        var result = await Infrastructure.Cli.RunAsync("completion", "fish");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("lifeboat: error: 'lifeboat completion' takes SHELL bash or zsh, not 'fish'. hint: see 'lifeboat completion --help'\n", result.Stderr);
    }

    private static async Task<string> ScriptAsync(string shell)
    {
        var result = await Infrastructure.Cli.RunAsync("completion", shell);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var path = Path.Combine(Directory.CreateTempSubdirectory("lifeboat-completion-").FullName, $"lifeboat.{shell}");
        await File.WriteAllTextAsync(path, result.Stdout, Ct);
        return path;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> BashAsync(string[] arguments)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var bash = Process.Start(info)!;
        var stdout = bash.StandardOutput.ReadToEndAsync(Ct);
        var stderr = bash.StandardError.ReadToEndAsync(Ct);
        await bash.WaitForExitAsync(Ct);
        return (bash.ExitCode, await stdout, await stderr);
    }
}
