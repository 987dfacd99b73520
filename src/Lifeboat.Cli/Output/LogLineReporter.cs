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
    public void Warning(string message, Remedy remedy) => Warning(RemedyText.WithHint(message, remedy));

    /// <inheritdoc />
    public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) =>
        quiet ? SilentReporter.Instance.StartTransfer(description, totalBytes, estimated) : new ThrottledProgress(this, description, totalBytes, estimated);

    /// <inheritdoc />
    public IProgress<ItemsDone> StartItems(string description, int totalItems) =>
        quiet ? SilentReporter.Instance.StartItems(description, totalItems) : new ThrottledItems(this, description, totalItems);

    private void Write(string level, string message) => WriteLine(writer, level, message);

    /// <summary>Writes "2026-12-03T07:52:06.123Z LEVEL message", the form of every log line.</summary>
    internal static void WriteLine(TextWriter writer, string level, string message)
    {
        var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        lock (writer)
            writer.WriteLine($"{stamp} {level} {message}");
    }

    /// <summary>"pg_dump app: 512.0 MiB of ~1.6 GiB (95.0 MiB/s, about 12 s left)".</summary>
    internal static string Line(string description, long value, long? total, bool estimated, TimeSpan elapsed)
    {
        var rate = value / Math.Max(elapsed.TotalSeconds, 0.001);
        if (total is not { } t)
            return $"{description}: {ByteSize.Format(value)} ({ByteSize.Format((long)rate)}/s)";
        var of = $" of {(estimated ? "~" : "")}{ByteSize.Format(t)}";
        var left = value < t && rate > 0 ? $", about {FormatDuration(TimeSpan.FromSeconds((t - value) / rate))} left" : "";
        return $"{description}: {ByteSize.Format(value)}{of} ({ByteSize.Format((long)rate)}/s{left})";
    }

    /// <summary>"pg_restore --jobs 2: building indexes, 12 of 41 items".</summary>
    internal static string ItemsLine(string description, ItemsDone done, int total) =>
        $"{description}: {done.Phase}, {Math.Min(done.Done, total)} of {total} items";

    private static string FormatDuration(TimeSpan span) =>
        span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s" : $"{Math.Ceiling(span.TotalSeconds):0} s";

    private sealed class ThrottledProgress(LogLineReporter owner, string description, long? total, bool estimated) : ITransferProgress
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _next = ProgressEvery;
        // -1 for unknown: a long can be swapped atomically, a long? cannot.
        private long _total = total ?? -1;

        public void Report(long value)
        {
            if (_clock.Elapsed < _next)
                return;
            _next = _clock.Elapsed + ProgressEvery;
            owner.Write("INFO", Line(description, value, Interlocked.Read(ref _total) is var t and >= 0 ? t : null, estimated, _clock.Elapsed));
        }

        public void Reestimate(long totalBytes)
        {
            if (estimated)
                Interlocked.Exchange(ref _total, totalBytes);
        }
    }

    // A new phase is worth its line at once; within one, a line every ten seconds as for bytes.
    private sealed class ThrottledItems(LogLineReporter owner, string description, int total) : IProgress<ItemsDone>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _next = ProgressEvery;
        private string? _phase;

        public void Report(ItemsDone value)
        {
            lock (_clock)
            {
                if (value.Phase == _phase && _clock.Elapsed < _next)
                    return;
                _phase = value.Phase;
                _next = _clock.Elapsed + ProgressEvery;
            }

            owner.Write("INFO", ItemsLine(description, value, total));
        }
    }
}
