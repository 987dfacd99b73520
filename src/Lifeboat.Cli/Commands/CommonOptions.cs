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
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print machine-readable JSON on stdout",
        Recursive = true,
    };

    /// <summary>--quiet.</summary>
    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "Print only errors",
        Recursive = true,
    };

    /// <summary>--verbose: the child tools' command lines (secrets masked) as log lines on stderr.</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log each tool Lifeboat runs (pg_dump, pg_restore, ...) with its arguments on stderr; secrets are masked",
        Recursive = true,
    };

    /// <summary>A new --name option choosing a configured source (one per command: options have one parent).</summary>
    public static Option<string?> SourceName(string sourceType) =>
        new("--name") { Description = $"Which {sourceType} source (may be left out when only one is configured)" };

    /// <summary>Reads the common options from a parse.</summary>
    public static GlobalOptions From(ParseResult parse) =>
        new(parse.GetValue(Config), parse.GetValue(Json), parse.GetValue(Quiet), parse.GetValue(Verbose));
}
