using System.CommandLine;
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
    /// what a signal leaves behind for this command, beyond the cleaned-up work (a backup: that none was recorded).
    /// </summary>
    public static void SetBody(this Command command, Func<ParseResult, GlobalOptions, CancellationToken, Task<int>> body, string? afterInterruption = null) =>
        command.SetAction((parse, cancellationToken) => RunAsync(parse, body, afterInterruption, cancellationToken));

    /// <summary>The line a command stopped by SIGINT/SIGTERM prints.</summary>
    public static string InterruptedMessage(string? afterInterruption) =>
        "interrupted by a signal; work in progress was cleaned up" + (afterInterruption is null ? "" : $" and {afterInterruption}");

    private static async Task<int> RunAsync(
        ParseResult parse, Func<ParseResult, GlobalOptions, CancellationToken, Task<int>> body, string? afterInterruption, CancellationToken cancellationToken)
    {
        var options = CommonOptions.From(parse);
        using var verbose = options.Verbose ? ChildProcessObserver.Observe(line => LogLineReporter.WriteLine(Console.Error, "DEBUG", $"run: {line}")) : null;
        try
        {
            return await body(parse, options, cancellationToken);
        }
        catch (LifeboatException e)
        {
            WriteError(e.Message, HintOf(e));
            return (int)e.Kind;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            WriteError(InterruptedMessage(afterInterruption), null);
            return Interrupted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(e.Message, "check the path and its permissions");
            return (int)FailureKind.Failed;
        }
        catch (Exception e)
        {
            // Anything else is a bug or an unanticipated failure: still one line, never a stack trace.
            WriteError($"unexpected {e.GetType().Name}: {e.Message}", "please report this with the command you ran");
            return (int)FailureKind.Failed;
        }
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
    private static string? HintOf(LifeboatException error)
    {
        var remedy = error.Remedy is null ? null : RemedyText.For(error.Remedy);
        if (remedy is null)
            return error.Hint;
        return error.Hint is null ? remedy : $"{error.Hint}; {remedy}";
    }
}
