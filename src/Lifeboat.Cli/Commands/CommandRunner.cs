using System.CommandLine;
using System.CommandLine.Invocation;
using Lifeboat.Cli.Output;
using Lifeboat.Processes;

namespace Lifeboat.Cli.Commands;

/// <summary>Runs a command body and turns its failures into one readable line and an exit code.</summary>
internal static class CommandRunner
{
    /// <summary>Exit code for success.</summary>
    public const int Ok = 0;

    /// <summary>Exit code after SIGINT/SIGTERM (128 + SIGINT, the shell convention).</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// Binds <paramref name="body"/> as the action of <paramref name="command"/>; <paramref name="afterInterruption"/> says
    /// what a signal leaves behind for this command, beyond the cleaned-up work (a backup: that none was recorded), and
    /// <paramref name="exits"/> how its failures become exit codes when not as their kind says.
    /// </summary>
    public static void SetBody(
        this Command command, Func<ParseResult, GlobalOptions, CancellationToken, Task<int>> body, string? afterInterruption = null, ExitPolicy? exits = null) =>
        command.Action = new Body(body, afterInterruption, exits ?? ExitPolicy.Standard);

    /// <summary>The exit policy <paramref name="command"/> declared, which also decides the exit code of its usage errors.</summary>
    public static ExitPolicy ExitPolicyOf(Command command) => command.Action is Body body ? body.Exits : ExitPolicy.Standard;

    /// <summary>The line a command stopped by SIGINT/SIGTERM prints.</summary>
    public static string InterruptedMessage(string? afterInterruption) =>
        "interrupted by a signal; work in progress was cleaned up" + (afterInterruption is null ? "" : $" and {afterInterruption}");

    private static async Task<int> RunAsync(ParseResult parse, Body command, CancellationToken cancellationToken)
    {
        var options = CommonOptions.From(parse);
        using var verbose = options.Verbose ? ChildProcessObserver.Observe(line => LogLineReporter.WriteLine(Console.Error, "DEBUG", $"run: {line}")) : null;
        try
        {
            return await command.Run(parse, options, cancellationToken);
        }
        catch (InterruptedWithWorkLeftException e) when (cancellationToken.IsCancellationRequested)
        {
            // Nothing was cleaned up: what the work left is the news, with what to do about it.
            WriteError($"interrupted by a signal; {e.WorkLeft.Message}", HintOf(e.WorkLeft));
            return Interrupted;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            WriteError(InterruptedMessage(command.AfterInterruption), null);
            return Interrupted;
        }
        catch (Exception e) when (command.Exits.RuleFor(e) is { } rule)
        {
            WriteRuled(e, rule, options);
            return rule.ExitCode;
        }
        catch (LifeboatException e)
        {
            WriteError(e.Message, HintOf(e));
            return command.Exits.ForUnnamed(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(e.Message, "check the path and its permissions");
            return command.Exits.ForUnnamed(e);
        }
        catch (Exception e)
        {
            // Anything else is a bug or an unanticipated failure: still one line, never a stack trace.
            WriteError($"unexpected {e.GetType().Name}: {e.Message}", "please report this with the command you ran");
            return command.Exits.ForUnnamed(e);
        }
    }

    private static void WriteRuled(Exception failure, ExitRule rule, GlobalOptions options)
    {
        if (!rule.IsNotice)
            Console.Error.WriteLine(failure is LifeboatException known ? ErrorLine(known) : ErrorLine(failure.Message, null));
        else if (!options.Quiet)
            Console.Error.WriteLine($"lifeboat: {failure.Message}");
    }

    /// <summary>Writes one line: "lifeboat: error: what. hint: what to do".</summary>
    public static void WriteError(string message, string? hint) => Console.Error.WriteLine(ErrorLine(message, hint));

    /// <summary>The line <see cref="WriteError"/> writes for <paramref name="error"/>.</summary>
    public static string ErrorLine(LifeboatException error) => ErrorLine(error.Message, HintOf(error));

    private static string ErrorLine(string message, string? hint)
    {
        message = message.TrimEnd('.', ' ');
        var line = hint is null ? $"lifeboat: error: {message}" : $"lifeboat: error: {message}. hint: {hint}";
        return line.Replace('\n', ' ');
    }

    // The core's own advice comes first; what it leaves to Lifeboat's commands, flags and keys follows in their words.
    internal static string? HintOf(LifeboatException error)
    {
        var remedy = error.Remedy is null ? null : RemedyText.For(error.Remedy);
        if (remedy is null)
            return error.Hint;
        return error.Hint is null ? remedy : $"{error.Hint}; {remedy}";
    }

    /// <summary>A command's body with what it declared about interruptions and exit codes.</summary>
    private sealed class Body(Func<ParseResult, GlobalOptions, CancellationToken, Task<int>> run, string? afterInterruption, ExitPolicy exits)
        : AsynchronousCommandLineAction
    {
        public Func<ParseResult, GlobalOptions, CancellationToken, Task<int>> Run => run;

        public string? AfterInterruption => afterInterruption;

        public ExitPolicy Exits => exits;

        public override Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken = default) =>
            RunAsync(parseResult, this, cancellationToken);
    }
}
