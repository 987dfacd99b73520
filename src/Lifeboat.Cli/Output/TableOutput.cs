using Spectre.Console;

namespace Lifeboat.Cli.Output;

/// <summary>Writes tables to stdout: sized to the terminal, or unwrapped and uncoloured in a pipe.</summary>
internal static class TableOutput
{
    // In a pipe there is no width to fit; wrapping cells would break grep and awk.
    private const int PipeWidth = 400;

    public static void Write(Table table)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (Console.IsOutputRedirected)
            console.Profile.Width = PipeWidth;
        console.Write(table);
    }
}
