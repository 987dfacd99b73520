using System.Text.RegularExpressions;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres;
using Lifeboat.Tests.Architecture;

namespace Lifeboat.Tests.Output;

/// <summary>The command line's words for the core's remedies: one for each, naming only commands, flags and keys it has.</summary>
public sealed partial class RemedyTextTests
{
    // Remedies about a source's own settings or commands name one; the only source there is will do for all.
    private static IEnumerable<string> AllTexts =>
        Enum.GetValues<RemedyAction>().Select(action => RemedyText.For(new Remedy(action, PostgresDumpBackup.SourceType)) ?? "");

    [Fact]
    public void Every_remedy_action_has_words_on_the_command_line()
    {
        var wordless = Enum.GetValues<RemedyAction>().Where(action => string.IsNullOrWhiteSpace(RemedyText.For(new Remedy(action, "subject"))));

        Assert.Empty(wordless);
    }

    [Fact]
    public void Every_command_a_remedy_names_is_one_the_command_line_has()
    {
        var unknown = AllTexts.SelectMany(text => QuotedCommand().Matches(text).Select(m => m.Groups[1].Value))
            .Where(command => !CommandLineWords.Commands.Contains(command))
            .ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public void Every_flag_a_remedy_names_is_one_the_command_line_has()
    {
        var unknown = AllTexts.SelectMany(text => Flag().Matches(text).Select(m => m.Value))
            .Where(flag => !CommandLineWords.Flags.Contains(flag))
            .ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public void Every_configuration_key_a_remedy_names_is_one_the_configuration_has()
    {
        var dotted = AllTexts.SelectMany(text => DottedKey().Matches(text).Select(m => m.Value)).Where(key => !CommandLineWords.ConfigKeys.Contains(key));
        var named = AllTexts.SelectMany(text => CamelCaseWord().Matches(text).Select(m => m.Value)).Where(name => !CommandLineWords.CamelCaseKeyNames.Contains(name));

        Assert.Empty(dotted.Concat(named));
    }

    [Fact]
    public void A_remedy_about_a_source_names_that_source()
    {
        Assert.Equal("check redis[].database", RemedyText.For(new Remedy(RemedyAction.CheckSourceDatabase, "redis")));
        Assert.Equal(
            "take one with 'lifeboat backup redis', or list what exists with 'lifeboat list'",
            RemedyText.For(new Remedy(RemedyAction.TakeBackup, "redis")));
    }

    // 'lifeboat key list --flag value' is the command "lifeboat key list".
    [GeneratedRegex(@"'(lifeboat(?: [a-z][\w-]*)+)")]
    private static partial Regex QuotedCommand();

    [GeneratedRegex(@"(?<![\w-])--[a-z][\w-]*")]
    private static partial Regex Flag();

    [GeneratedRegex(@"\b[a-z][a-zA-Z0-9]*(?:\[\])?(?:\.[a-zA-Z][a-zA-Z0-9]*)+")]
    private static partial Regex DottedKey();

    [GeneratedRegex(@"\b[a-z]+[A-Z][a-zA-Z]*\b")]
    private static partial Regex CamelCaseWord();
}
