using System.CommandLine;
using Lifeboat.Cli;

namespace Lifeboat.Tests.Commands;

/// <summary>What the executable suggests at the cursor ([suggest:N]), with on/off flags before it.</summary>
public sealed class CompletionTests
{
    private static List<string> Complete(string line) =>
        Program.BuildRoot().Parse(line).GetCompletions(line.Length).Select(c => c.Label).ToList();

    [Fact]
    public void A_command_completes_after_a_global_flag() =>
        Assert.Contains("list", Complete("-v li"));

    [Fact]
    public void An_option_completes_after_a_command_s_own_flag() =>
        Assert.Contains("--force", Complete("restore postgres --dry-run --f"));

    [Fact]
    public void Options_complete_after_json_quiet_and_all() =>
        Assert.Contains("--all", Complete("--json -q unlock --"));

    [Fact]
    public void Every_on_off_option_in_the_tree_takes_no_value()
    {
        var flags = Commands(Program.BuildRoot()).SelectMany(c => c.Options).OfType<Option<bool>>().Distinct().ToList();

        Assert.NotEmpty(flags);
        Assert.All(flags, flag => Assert.True(flag.Arity.MaximumNumberOfValues == 0, $"{flag.Name} takes a value, so completion after it offers nothing"));
    }

    [Fact]
    public void A_flag_given_a_value_is_a_usage_error_not_a_silent_false() =>
        Assert.NotEmpty(Program.BuildRoot().Parse(["restore", "postgres", "--force", "false"]).Errors);

    private static IEnumerable<Command> Commands(Command command) => command.Subcommands.SelectMany(Commands).Prepend(command);
}
