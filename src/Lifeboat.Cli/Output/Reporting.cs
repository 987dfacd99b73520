namespace Lifeboat.Cli.Output;

/// <summary>Chooses how an operation reports: progress bars on a terminal, log lines in a pipe, nothing when quiet.</summary>
internal static class Reporting
{
    /// <summary>True when stderr is a terminal a person is watching.</summary>
    public static bool IsInteractive =>
        !Console.IsErrorRedirected
        && Environment.GetEnvironmentVariable("CI") is null
        && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    /// <summary>Runs <paramref name="operation"/> with the reporter that suits the output.</summary>
    public static Task<T> RunAsync<T>(GlobalOptions options, Func<IActivityReporter, Task<T>> operation)
    {
        // Verbose output is a log: progress bars redrawn in place would be torn by the lines written between them.
        if (IsInteractive && !options.Quiet && !options.Json && !options.Verbose)
            return TerminalReporter.RunAsync(operation);
        return operation(new LogLineReporter(Console.Error, options.Quiet));
    }
}

/// <summary>The options every command takes.</summary>
/// <param name="ConfigPath">--config.</param>
/// <param name="Json">--json: machine-readable output on stdout.</param>
/// <param name="Quiet">--quiet: only errors.</param>
/// <param name="Verbose">--verbose: the command lines of the tools Lifeboat runs, as log lines.</param>
internal sealed record GlobalOptions(string? ConfigPath, bool Json, bool Quiet, bool Verbose = false);
