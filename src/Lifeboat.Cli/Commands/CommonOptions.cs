using System.CommandLine;
using Lifeboat.Cli.Output;

namespace Lifeboat.Cli.Commands;

/// <summary>The options every command accepts, declared once.</summary>
internal static class CommonOptions
{
    /// <summary>--config FILE.</summary>
    public static readonly Option<string?> Config = new("--config")
    {
        Description = "Configuration file (default: $LIFEBOAT_CONFIG, else ./lifeboat.yaml, else built-in defaults)",
        Recursive = true,
    };

    /// <summary>--json.</summary>
    public static readonly Option<bool> Json = Flag("--json", "Print machine-readable JSON on stdout", recursive: true);

    /// <summary>--quiet.</summary>
    public static readonly Option<bool> Quiet = Flag(["--quiet", "-q"], "Print only errors", recursive: true);

    /// <summary>--verbose: the child tools' command lines (secrets masked) as log lines on stderr.</summary>
    public static readonly Option<bool> Verbose = Flag(
        ["--verbose", "-v"], "Log each tool Lifeboat runs (pg_dump, pg_restore, ...) with its arguments on stderr; secrets are masked", recursive: true);

    /// <summary>
    /// An on/off option that takes no value. A bool option would otherwise take an optional true/false, and shell
    /// completion would then offer nothing after it, taking the next word for its value.
    /// </summary>
    public static Option<bool> Flag(string name, string description, bool recursive = false) => Flag([name], description, recursive);

    /// <inheritdoc cref="Flag(string, string, bool)"/>
    public static Option<bool> Flag(string[] names, string description, bool recursive = false) =>
        new(names[0], names[1..]) { Description = description, Recursive = recursive, Arity = ArgumentArity.Zero };

    /// <summary>A new --name option choosing a configured source (one per command: options have one parent).</summary>
    public static Option<string?> SourceName(string sourceType) =>
        new("--name") { Description = $"Which {sourceType} source (may be left out when only one is configured)" };

    /// <summary>Reads the common options from a parse.</summary>
    public static GlobalOptions From(ParseResult parse) =>
        new(parse.GetValue(Config), parse.GetValue(Json), parse.GetValue(Quiet), parse.GetValue(Verbose));
}
