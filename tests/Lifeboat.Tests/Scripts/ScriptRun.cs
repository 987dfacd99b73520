using System.Diagnostics;
using Lifeboat.Tests.Architecture;

namespace Lifeboat.Tests.Scripts;

/// <summary>One run of a script in scripts/ with bash, from the source tree's root: its exit code and both outputs.</summary>
internal sealed record ScriptRun(int ExitCode, string Output, string Errors)
{
    // A script that ignored its arguments could start the whole test suite: never wait that long.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The last line the script printed on standard output.</summary>
    public string LastLine => Output.TrimEnd('\n').Split('\n')[^1];

    public static Task<ScriptRun> RunAsync(string script, params string[] arguments) => RunAsync(script, new Dictionary<string, string>(), arguments);

    /// <summary>Runs the script with <paramref name="environment"/> added to this process's.</summary>
    public static Task<ScriptRun> RunAsync(string script, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        RunInAsync(SourceTree.Root, script, environment, arguments);

    /// <summary>Runs <paramref name="root"/>/scripts/<paramref name="script"/> from <paramref name="root"/>: a copy of the script in a tree a test made.</summary>
    public static async Task<ScriptRun> RunInAsync(string root, string script, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine("scripts", script), .. arguments])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/{script} {string.Join(' ', arguments)} ran longer than {Timeout}");
        }

        return new ScriptRun(process.ExitCode, await output, await errors);
    }
}
