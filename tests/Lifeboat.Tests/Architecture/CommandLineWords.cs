using System.CommandLine;
using Lifeboat.Cli;
using Lifeboat.Cli.Configuration;

namespace Lifeboat.Tests.Architecture;

/// <summary>
/// The words that are the command line's own: its commands, flags and configuration keys, read from the command
/// tree and the configuration schema, so a new command, flag or key counts without a test being touched.
/// </summary>
internal static class CommandLineWords
{
    private static readonly RootCommand Root = Program.BuildRoot();

    /// <summary>Every command as typed: "lifeboat init", "lifeboat key list", "lifeboat backup postgres".</summary>
    public static IReadOnlySet<string> Commands { get; } = Root.Subcommands.SelectMany(c => CommandPaths(c, "lifeboat")).ToHashSet();

    /// <summary>Every long flag of any command: "--backup", "--target-db".</summary>
    public static IReadOnlySet<string> Flags { get; } =
        AllCommands(Root).SelectMany(c => c.Options).SelectMany(o => o.Aliases.Append(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).ToHashSet();

    /// <summary>Every configuration key as written in docs and messages, and each section above one: "repository.s3", "postgres[].binDir".</summary>
    public static IReadOnlySet<string> ConfigKeys { get; } =
        ConfigSchema.Keys.Select(ConfigSchema.Display).SelectMany(SectionsAndKey).ToHashSet();

    /// <summary>The last segment of the keys whose name is a camelCase word no sentence has otherwise: "keyFile", "binDir".</summary>
    public static IReadOnlySet<string> CamelCaseKeyNames { get; } =
        ConfigSchema.Keys.Select(k => k.Split(':')[^1]).Where(n => n.Any(char.IsAsciiLetterUpper)).ToHashSet();

    private static IEnumerable<string> CommandPaths(Command command, string parent)
    {
        var path = $"{parent} {command.Name}";
        return command.Subcommands.SelectMany(c => CommandPaths(c, path)).Prepend(path);
    }

    private static IEnumerable<Command> AllCommands(Command command) => command.Subcommands.SelectMany(AllCommands).Prepend(command);

    private static IEnumerable<string> SectionsAndKey(string key)
    {
        var segments = key.Split('.');
        return Enumerable.Range(1, segments.Length)
            .Select(n => string.Join('.', segments[..n]))
            .Where(k => k.Contains('.', StringComparison.Ordinal) || k.EndsWith("[]", StringComparison.Ordinal));
    }
}
