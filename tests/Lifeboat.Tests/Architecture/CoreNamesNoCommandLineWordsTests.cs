using System.Text.RegularExpressions;

namespace Lifeboat.Tests.Architecture;

/// <summary>
/// What the core tells the user names no Lifeboat command, flag or configuration key: those are the command line's
/// words, which it adds from an error's <see cref="Remedy"/> (src/Lifeboat.Cli/Output/RemedyText.cs), so another
/// front end, or a renamed flag, does not leave the core giving wrong advice.
/// </summary>
public sealed partial class CoreNamesNoCommandLineWordsTests
{
    // Facts, not advice: what the user did or what happened, in the words that did it.
    private static readonly string[] StatedFacts =
    [
        // How a running command's lock went missing.
        "was removed while it ran, by 'lifeboat unlock' or by hand",

        // The restore's log saying the flag the user gave takes effect.
        "verified; replacing database '{target}' (--force)",

        // The user's own shell command is called by the key that configures it, in messages and in the log of its output.
        "postRestore command",
        "postRestore: {line}",
    ];

    [Fact]
    public void No_core_string_names_a_lifeboat_command_flag_or_configuration_key()
    {
        var offenders = SourceTree.LibraryFiles()
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (File: file, Line: line, Number: i + 1)))
            .Where(l => !l.Line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .SelectMany(l => StringLiteral().Matches(l.Line).Select(m => (l.File, l.Number, Text: m.Value)))
            .Where(l => !IsToolArgument(l.Text) && !StatedFacts.Any(fact => l.Text.Contains(fact, StringComparison.Ordinal)))
            .SelectMany(l => CommandLineWordsIn(l.Text).Select(word => $"{Path.GetRelativePath(SourceTree.Library, l.File)}:{l.Number} names {word}: {l.Text}"))
            .ToList();

        Assert.True(offenders.Count == 0, $"say it as a Remedy, worded in src/Lifeboat.Cli/Output/RemedyText.cs:\n{string.Join('\n', offenders)}");
    }

    [Fact]
    public void The_scan_finds_each_kind_of_command_line_word()
    {
        Assert.Equal(["'lifeboat check'"], CommandLineWordsIn("\"run 'lifeboat check' first\""));
        Assert.Equal(["'--target-db'"], CommandLineWordsIn("\"choose another name with --target-db\""));
        Assert.Equal(["'repository.s3.endpoint'"], CommandLineWordsIn("$\"check repository.s3.endpoint at {endpoint}\""));
        Assert.Equal(["'binDir'"], CommandLineWordsIn("\"or set binDir\""));
        Assert.Empty(CommandLineWordsIn("$\"{name} was not found in {binDir}; pg_restore --jobs {jobs} needs it, see 'lifeboat keyslot'\""));
    }

    // A literal that starts with a flag is an argument handed to a PostgreSQL tool, not words for the user.
    private static bool IsToolArgument(string literal) => literal.TrimStart('$').StartsWith("\"--", StringComparison.Ordinal);

    private static IEnumerable<string> CommandLineWordsIn(string literal)
    {
        var text = ToolFlag().Replace(InterpolationHole().Replace(literal, ""), "");
        return CommandLineWords.Commands.Where(command => Names(text, command))
            .Concat(CommandLineWords.Flags.Where(flag => Names(text, flag)))
            .Concat(CommandLineWords.ConfigKeys.Where(key => Names(text, key)))
            .Concat(CommandLineWords.CamelCaseKeyNames.Where(name => Names(text, name)))
            .Select(word => $"'{word}'");
    }

    private static bool Names(string text, string word) =>
        Regex.IsMatch(text, $@"(?<![\w.\[-]){Regex.Escape(word)}(?![\w\[-]|\.\w)", RegexOptions.CultureInvariant);

    [GeneratedRegex(@"\$?""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex InterpolationHole();

    // PostgreSQL's own tools' flags, as in "pg_restore --jobs 4": the tool's words, not Lifeboat's.
    [GeneratedRegex(@"\bpg_\w+ --[\w-]+")]
    private static partial Regex ToolFlag();
}
