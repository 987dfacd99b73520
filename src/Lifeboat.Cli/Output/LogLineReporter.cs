using System.Diagnostics;
using System.Globalization;

namespace Lifeboat.Cli.Output;

/// <summary>Reports as one ISO 8601 UTC line per event on stderr, for pipes, logs and CronJobs.</summary>
internal sealed class LogLineReporter(TextWriter writer, bool quiet) : IActivityReporter
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public void Event(string message)
    {
        if (!quiet)
            Write("INFO", message);
    }

    /// <inheritdoc />
    public void Warning(string message) => Write("WARN", message);

    /// <inheritdoc />
    public IProgress<long> StartTransfer(string description, long? totalBytes) =>
        quiet ? new Progress<long>() : new ThrottledProgress(this, description, totalBytes);

    private void Write(string level, string message)
    {
        var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        lock (writer)
            writer.WriteLine($"{stamp} {level} {message}");
    }

    private sealed class ThrottledProgress(LogLineReporter owner, string description, long? total) : IProgress<long>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _next = ProgressEvery;

        public void Report(long value)
        {
            if (_clock.Elapsed < _next)
                return;
            _next = _clock.Elapsed + ProgressEvery;
            var rate = value / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
            var of = total is { } t ? $" of {ByteSize.Format(t)}" : "";
            owner.Write("INFO", $"{description}: {ByteSize.Format(value)}{of} ({ByteSize.Format((long)rate)}/s)");
        }
    }
}
