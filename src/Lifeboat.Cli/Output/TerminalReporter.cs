using Spectre.Console;

namespace Lifeboat.Cli.Output;

/// <summary>Reports on a terminal: Spectre.Console progress bars with bytes, rate and ETA, or items done for tasks counted in items.</summary>
internal sealed class TerminalReporter(ProgressContext context, IAnsiConsole console) : IActivityReporter
{
    /// <inheritdoc />
    public void Event(string message) => console.MarkupLineInterpolated($"[grey]{DateTime.UtcNow:HH:mm:ss}[/] {message}");

    /// <inheritdoc />
    public void Warning(string message) => console.MarkupLineInterpolated($"[yellow]warning:[/] {message}");

    /// <inheritdoc />
    public void Warning(string message, Remedy remedy) => Warning(RemedyText.WithHint(message, remedy));

    /// <inheritdoc />
    public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false)
    {
        var task = context.AddTask(Markup.Escape(estimated ? $"{description} (size estimated)" : description), maxValue: Math.Max(totalBytes ?? 1, 1));
        task.IsIndeterminate = totalBytes is null;
        return new Transfer(task, totalBytes is null, estimated);
    }

    /// <inheritdoc />
    public IProgress<ItemsDone> StartItems(string description, int totalItems)
    {
        var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(totalItems, 1));
        task.Tag = new ItemAwareColumn.ItemsTag(totalItems);
        return new Items(task, description);
    }

    private sealed class Transfer(ProgressTask task, bool indeterminate, bool estimated) : ITransferProgress
    {
        public void Report(long value)
        {
            // An estimate can fall short; the bar then stays full rather than overflowing.
            if (indeterminate || value > task.MaxValue)
                task.MaxValue = Math.Max(value, 1);
            task.Value = value;
        }

        public void Reestimate(long totalBytes)
        {
            if (estimated)
                task.MaxValue = Math.Max(Math.Max(totalBytes, (long)task.Value), 1);
        }
    }

    private sealed class Items(ProgressTask task, string description) : IProgress<ItemsDone>
    {
        public void Report(ItemsDone value)
        {
            task.Description = Markup.Escape($"{description}: {value.Phase}");
            task.Value = Math.Min(value.Done, task.MaxValue);
        }
    }

    /// <summary>Runs <paramref name="operation"/> under a live progress display on stderr.</summary>
    public static async Task<T> RunAsync<T>(Func<IActivityReporter, Task<T>> operation)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var progress = console.Progress()
            .AutoClear(true)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new ItemAwareColumn(new DownloadedColumn(), showCount: true),
                new ItemAwareColumn(new TransferSpeedColumn(), showCount: false),
                new RemainingTimeColumn());
        return await progress.StartAsync(context => operation(new TerminalReporter(context, console)));
    }
}
