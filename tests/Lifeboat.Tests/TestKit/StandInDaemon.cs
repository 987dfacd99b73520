using System.Diagnostics;

namespace Lifeboat.Tests.TestKit;

/// <summary>
/// A process that passes for a server by name (a copy of sleep called "postgres", say) and works in a directory of
/// the test's choosing: a pid file can name it, and the test sees whether the kit signalled it.
/// </summary>
internal sealed class StandInDaemon : IDisposable
{
    private readonly Process _process;
    private readonly string _programDirectory;

    private StandInDaemon(Process process, string programDirectory)
    {
        _process = process;
        _programDirectory = programDirectory;
    }

    public int Pid => _process.Id;

    public static StandInDaemon Start(string name, string workingDirectory)
    {
        var programDirectory = Directory.CreateTempSubdirectory("lifeboat-stand-in-").FullName;
        var program = Path.Combine(programDirectory, name);
        File.Copy("/bin/sleep", program);
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        // A test run started in the background (nohup, `cmd &` without job control) ignores SIGINT and SIGQUIT,
        // and an ignored signal stays ignored across exec; a real server installs its own handlers, so the stand-in
        // gets the default ones back through env(1), which then execs it under the same pid.
        var process = Process.Start(new ProcessStartInfo("env", ["--default-signal=INT,QUIT,TERM", program, "300"])
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
        })!;
        WaitUntilRunning(process, program);
        return new StandInDaemon(process, programDirectory);
    }

    private static void WaitUntilRunning(Process process, string program)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            if (ExecutableOf(process.Id) == program)
                return;
            Thread.Sleep(10);
        }

        throw new InvalidOperationException($"the stand-in {program} did not start within 10 s");
    }

    private static string? ExecutableOf(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/exe").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>True when the process ended within <paramref name="timeout"/>, killed by a signal, say.</summary>
    public bool EndsWithin(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        Directory.Delete(_programDirectory, recursive: true);
    }
}
