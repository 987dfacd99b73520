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
    public IProgress<long> StartTransfer(string description, long? totalBytes)
    {
        var task = context.AddTask(Markup.Escape(description), maxValue: totalBytes ?? 1);
        task.IsIndeterminate = totalBytes is null;
        return new Progress(task, totalBytes is null);
    }

    private sealed class Progress(ProgressTask task, bool indeterminate) : IProgress<long>
    {
        public void Report(long value)
        {
            if (indeterminate)
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
