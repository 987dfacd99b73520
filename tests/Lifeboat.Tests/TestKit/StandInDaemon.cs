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
        var process = Process.Start(new ProcessStartInfo(program, ["300"]) { WorkingDirectory = workingDirectory, UseShellExecute = false })!;
        return new StandInDaemon(process, programDirectory);
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
