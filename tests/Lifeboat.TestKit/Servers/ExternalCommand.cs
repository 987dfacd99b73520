using System.Diagnostics;

namespace Lifeboat.TestKit.Servers;

/// <summary>Runs a program to its end and fails, with everything it printed, when it fails.</summary>
internal static class ExternalCommand
{
    /// <summary>What the program printed on standard output; throws when it exits non-zero.</summary>
    public static Task<string> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(program, arguments, startDirectory: null, cancellationToken);

    /// <summary>Like <see cref="RunAsync(string, IEnumerable{string}, CancellationToken)"/>, starting the program in <paramref name="startDirectory"/> (null: this process's).</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string? startDirectory, CancellationToken cancellationToken)
    {
        var (exitCode, output, errors) = await TryRunAsync(program, arguments, startDirectory, cancellationToken);
        if (exitCode != 0)
            throw new InvalidOperationException($"{Describe(program, arguments)} exited with {exitCode}: {errors.Trim()} {output.Trim()}".Trim());
        return output;
    }

    /// <summary>The exit code and both outputs, whatever the exit code.</summary>
    public static Task<(int ExitCode, string Output, string Errors)> TryRunAsync(
        string program, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        TryRunAsync(program, arguments, startDirectory: null, cancellationToken);

    /// <summary>Like <see cref="TryRunAsync(string, IEnumerable{string}, CancellationToken)"/>, starting the program in <paramref name="startDirectory"/> (null: this process's).</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> TryRunAsync(
        string program, IEnumerable<string> arguments, string? startDirectory, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo(program, arguments, startDirectory))
            ?? throw new InvalidOperationException($"could not start {program}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await errors);
    }

    /// <summary>Runs the program and waits for it, for clean-up at process exit where nothing may be awaited.</summary>
    public static int RunNow(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var process = Process.Start(StartInfo(program, arguments, startDirectory: null));
        if (process is null)
            return -1;
        process.StandardInput.Close();
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (process.WaitForExit(timeout))
            return process.ExitCode;
        process.Kill(entireProcessTree: true);
        return -1;
    }

    private static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, string? startDirectory)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = startDirectory ?? "",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        return info;
    }

    private static string Describe(string program, IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Prepend(program).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
}
