using Spectre.Console;

namespace Lifeboat.Cli.Output;

/// <summary>Reports on a terminal: Spectre.Console progress bars with bytes, rate and ETA.</summary>
internal sealed class TerminalReporter(ProgressContext context, IAnsiConsole console) : IActivityReporter
{
    /// <inheritdoc />
    public void Event(string message) => console.MarkupLineInterpolated($"[grey]{DateTime.UtcNow:HH:mm:ss}[/] {message}");

    /// <inheritdoc />
    public void Warning(string message) => console.MarkupLineInterpolated($"[yellow]warning:[/] {message}");

    /// <inheritdoc />
    public IProgress<long> StartTransfer(string description, long? totalBytes, bool estimated = false)
    {
        var task = context.AddTask(Markup.Escape(estimated ? $"{description} (size estimated)" : description), maxValue: Math.Max(totalBytes ?? 1, 1));
        task.IsIndeterminate = totalBytes is null;
        return new Progress(task, totalBytes is null);
    }

    private sealed class Progress(ProgressTask task, bool indeterminate) : IProgress<long>
    {
        public void Report(long value)
        {
            // An estimate can fall short; the bar then stays full rather than overflowing.
            if (indeterminate || value > task.MaxValue)
                task.MaxValue = Math.Max(value, 1);
            task.Value = value;
        }
    }

    /// <summary>Runs <paramref name="operation"/> under a live progress display on stderr.</summary>
    public static async Task<T> RunAsync<T>(Func<IActivityReporter, Task<T>> operation)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var progress = console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn());
        return await progress.StartAsync(context => operation(new TerminalReporter(context, console)));
    }
}
