using System.Diagnostics;
using System.Text;

namespace Lifeboat.Processes;

/// <summary>
/// A tool run as a child process with arguments as a list (no shell) and secrets only in its environment.
/// Its stderr is kept, bounded, for error messages.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int StderrLimit = 16 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;

    private ChildProcess(Process process)
    {
        _process = process;
        _stderrPump = PumpStderrAsync();
    }

    /// <summary>The tool's name, for messages.</summary>
    public string Name { get; private init; } = "";

    /// <summary>The child's standard output.</summary>
    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    /// <summary>The child's standard input.</summary>
    public Stream StandardInput => _process.StandardInput.BaseStream;

    /// <summary>Starts <paramref name="path"/>; a missing executable is a clear error.</summary>
    public static ChildProcess Start(string path, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, bool redirectStdin = false)
    {
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var name in info.Environment.Keys.Where(ChildEnvironment.IsHidden).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in environment)
        {
            if (value is null)
                info.Environment.Remove(name);
            else
                info.Environment[name] = value;
        }

        try
        {
            var process = Process.Start(info) ?? throw new LifeboatException($"could not start {path}");
            return new ChildProcess(process) { Name = Path.GetFileName(path) };
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LifeboatException($"could not run {path}: {e.Message}", "install the tool or fix its configured path", inner: e);
        }
    }

    /// <summary>Runs a tool to completion and returns its standard output; a non-zero exit is an error.</summary>
    public static async Task<string> RunAsync(string path, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        await using var child = Start(path, arguments, environment);
        using var reader = new StreamReader(child.StandardOutput);
        var output = await reader.ReadToEndAsync(cancellationToken);
        await child.WaitForSuccessAsync(cancellationToken);
        return output;
    }

    /// <summary>Waits for exit and returns the exit code.</summary>
    public async Task<int> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }

        await DrainStderrAsync();
        return _process.ExitCode;
    }

    /// <summary>Waits for exit; a non-zero exit becomes an error carrying the last lines of stderr.</summary>
    public async Task WaitForSuccessAsync(CancellationToken cancellationToken)
    {
        var code = await WaitAsync(cancellationToken);
        if (code != 0)
            throw new LifeboatException($"{Name} failed (exit code {code}): {LastError()}");
    }

    /// <summary>The last lines the tool wrote to stderr, joined on one line.</summary>
    public string LastError()
    {
        lock (_stderr)
        {
            var lines = _stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return lines.Length == 0 ? "(no error output)" : string.Join(" | ", lines.TakeLast(4));
        }
    }

    /// <summary>Kills the child and its children.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    // A grandchild that inherited stderr (a postRestore "app &") can keep it open forever; after the child
    // itself has exited, its remaining error output is not worth hanging for.
    private async Task DrainStderrAsync()
    {
        try
        {
            await _stderrPump.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or IOException)
        {
            // Keep what was read.
        }
    }

    private async Task PumpStderrAsync()
    {
        var buffer = new char[4096];
        var reader = _process.StandardError;
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, n);
                if (_stderr.Length > StderrLimit)
                    _stderr.Remove(0, _stderr.Length - StderrLimit);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Kill();
        await DrainStderrAsync();
        _process.Dispose();
    }
}
