using System.Diagnostics;
using Lifeboat.Cli.Output;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>Starts this executable again as a detached background process (the WAL prefetcher), its output appended to a log.</summary>
internal static class BackgroundLifeboat
{
    /// <summary>Starts <c>lifeboat [--config C] arguments…</c> detached from the caller, which returns at once.</summary>
    public static void Start(GlobalOptions options, string logPath, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" </dev/null >>\"$0\" 2>&1 &");
        start.ArgumentList.Add(logPath);
        start.ArgumentList.Add(Environment.ProcessPath ?? "lifeboat");
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
}
