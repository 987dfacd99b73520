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

    public static Task<Result> RunAsync(IReadOnlyDictionary<string, string?>? environment, params string[] arguments) =>
        RunProgramAsync(Executable, arguments, environment);

    /// <summary>
    /// Runs the executable where file permissions hold as for an operator's account. Tests run as root in CI, and root
    /// reads any file; without the capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) it does not.
    /// </summary>
    public static Task<Result> RunHonouringFilePermissionsAsync(params string[] arguments) =>
        Environment.IsPrivilegedProcess
            ? RunProgramAsync("setpriv", ["--bounding-set=-dac_override,-dac_read_search", Executable, .. arguments], null)
            : RunProgramAsync(Executable, arguments, null);

    /// <summary>
    /// Runs the executable without CAP_SYS_NICE, as in a container's default capability set: a thread may then enter
    /// SCHED_IDLE but never leave it (with the default RLIMIT_NICE of 0). Unprivileged test runs lack it already.
    /// </summary>
    public static Task<Result> RunWithoutSysNiceAsync(params string[] arguments) =>
        Environment.IsPrivilegedProcess
            ? RunProgramAsync("setpriv", ["--bounding-set=-sys_nice", "--inh-caps=-sys_nice", Executable, .. arguments], null)
            : RunProgramAsync(Executable, arguments, null);

    private static async Task<Result> RunProgramAsync(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment)
    {
        var info = new ProcessStartInfo(program)
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
