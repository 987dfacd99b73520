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

    /// <summary>Reads the common options from a parse.</summary>
    public static GlobalOptions From(ParseResult parse) =>
        new(parse.GetValue(Config), parse.GetValue(Json), parse.GetValue(Quiet));
}
