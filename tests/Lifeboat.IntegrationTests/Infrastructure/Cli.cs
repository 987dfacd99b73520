using System.Diagnostics;

namespace Lifeboat.IntegrationTests.Infrastructure;

/// <summary>Runs the real lifeboat executable, as an operator or a CronJob would.</summary>
public static class Cli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>
    /// The published (Native AOT) executable when scripts/test.sh names it, so the tests exercise what ships:
    /// code the trimmer removed or reflection AOT cannot do fails here, not at 3 a.m. Otherwise the build output.
    /// </summary>
    public static string Executable =>
        TestEnvironment.PublishedCli ?? Path.Combine(AppContext.BaseDirectory, "lifeboat");

    public static async Task<Result> RunAsync(params string[] arguments) => await RunAsync(null, arguments);

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        info.Environment["CI"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            info.Environment[name] = value;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
