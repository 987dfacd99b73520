namespace Lifeboat;

/// <summary>Where long operations report what they do; the CLI draws progress bars or writes log lines.</summary>
public interface IActivityReporter
{
    /// <summary>One event worth a log line.</summary>
    void Event(string message);

    /// <summary>A warning worth a log line.</summary>
    void Warning(string message);

    /// <summary>
    /// Starts a byte-counted task; <paramref name="totalBytes"/> is null when unknown, and only a guess when
    /// <paramref name="estimated"/> (the task may end before or after it).
    /// </summary>
    IProgress<long> StartTransfer(string description, long? totalBytes, bool estimated = false);
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
    public IProgress<long> StartTransfer(string description, long? totalBytes, bool estimated = false) => new Progress<long>();
}
