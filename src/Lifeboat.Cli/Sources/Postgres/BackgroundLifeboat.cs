using System.Diagnostics;
using Lifeboat.Cli.Output;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>Starts this executable again as a detached background process (the WAL pusher or prefetcher), its output appended to a log.</summary>
internal static class BackgroundLifeboat
{
    /// <summary>Starts <c>lifeboat [--config C] arguments…</c> detached from the caller, which returns at once.</summary>
    public static void Start(GlobalOptions options, string logPath, IEnumerable<string> arguments)
    {
        RotateLog(logPath);
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" </dev/null >>\"$0\" 2>&1 &");
        start.ArgumentList.Add(logPath);
        foreach (var word in RestoreCommandLine.Self())
            start.ArgumentList.Add(word);
        if (options.ConfigPath is { } config)
        {
            start.ArgumentList.Add("--config");
            start.ArgumentList.Add(Path.GetFullPath(config));
        }

        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var shell = Process.Start(start);
        shell?.WaitForExit();
    }

    /// <summary>
    /// Keeps a background process's log from growing without end on a server that archives for years: past 1 MiB it
    /// becomes LOG.1 (replacing the one before) when the next process starts.
    /// </summary>
    internal static void RotateLog(string log)
    {
        const long Limit = 1 << 20;
        if (new FileInfo(log) is { Exists: true, Length: > Limit })
            File.Move(log, log + ".1", overwrite: true);
    }
}
