namespace Lifeboat;

/// <summary>Where long operations report what they do; the CLI draws progress bars or writes log lines.</summary>
public interface IActivityReporter
{
    /// <summary>One event worth a log line.</summary>
    void Event(string message);

    /// <summary>A warning worth a log line.</summary>
    void Warning(string message);

    /// <summary>A warning worth a log line, with what the operator can do about it, which the front end words (as it words an error's).</summary>
    void Warning(string message, Remedy remedy) => Warning(message);

    /// <summary>
    /// Starts a byte-counted task; <paramref name="totalBytes"/> is null when unknown, and only a guess when
    /// <paramref name="estimated"/> (the task may end before or after it, and may revise it as it learns more).
    /// </summary>
    ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false);

    /// <summary>Starts a task counted in items (a restore's tables, indexes and constraints), each report naming the phase it is in.</summary>
    IProgress<ItemsDone> StartItems(string description, int totalItems);
}

/// <summary>A reporter that says nothing, for tests and quiet runs.</summary>
public sealed class SilentReporter : IActivityReporter
{
    /// <summary>The one instance.</summary>
    public static SilentReporter Instance { get; } = new();

    /// <inheritdoc />
    public void Event(string message) { }

    /// <inheritdoc />
    public void Warning(string message) { }

    /// <inheritdoc />
    public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) => NoProgress.Instance;

    /// <inheritdoc />
    public IProgress<ItemsDone> StartItems(string description, int totalItems) => NoProgress.Instance;

    private sealed class NoProgress : ITransferProgress, IProgress<ItemsDone>
    {
        public static NoProgress Instance { get; } = new();

        public void Report(long value) { }

        public void Reestimate(long totalBytes) { }

        public void Report(ItemsDone value) { }
    }
}
