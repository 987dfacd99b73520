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
    private readonly Action<string>? _stderrLine;

    private ChildProcess(Process process, Action<string>? stderrLine)
    {
        _process = process;
        _stderrLine = stderrLine;
        _stderrPump = PumpStderrAsync();
    }

    /// <summary>The tool's name, for messages.</summary>
    public string Name { get; private init; } = "";

    /// <summary>The child's standard output.</summary>
    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    /// <summary>The child's standard input.</summary>
    public Stream StandardInput => _process.StandardInput.BaseStream;

    /// <summary>
    /// Starts <paramref name="path"/>; a missing executable is a clear error. <paramref name="stderrLine"/>, when
    /// given, sees every line the tool writes to stderr, on the thread that reads it. A shell's script is named to an
    /// observer as <paramref name="scriptName"/>, never shown.
    /// </summary>
    public static ChildProcess Start(
        string path,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        bool redirectStdin = false,
        Action<string>? stderrLine = null,
        string scriptName = "shell script")
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

        ChildProcessObserver.Starting(path, info.ArgumentList, environment, scriptName);
        try
        {
            var process = Process.Start(info) ?? throw new LifeboatException($"could not start {path}");
            return new ChildProcess(process, stderrLine) { Name = Path.GetFileName(path) };
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

    /// <summary>
    /// What the tool said went wrong, on one line: PostgreSQL's tools' own error lines ("from TOC entry …",
    /// "error: …", the first line of "Command was: …") when there are any, else the last lines of stderr
    /// other than its --verbose progress lines.
    /// </summary>
    public string LastError()
    {
        lock (_stderr)
        {
            var lines = _stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var messages = lines.Where(IsToolMessage).ToArray();
            if (messages.Length == 0)
                messages = lines.Where(line => !IsToolLine(line)).ToArray();
            return messages.Length == 0 ? "(no error output)" : string.Join(" | ", messages.TakeLast(4));
        }
    }

    // "pg_restore: error: …" (or warning, detail, hint) and its context matter; "pg_restore: launching item …"
    // is --verbose progress, and the SQL after "Command was:" is the failed statement's body, too long to show.
    private bool IsToolMessage(string line)
    {
        if (line.StartsWith("Command was:", StringComparison.Ordinal))
            return true;
        if (!IsToolLine(line))
            return false;
        var rest = line.AsSpan(Name.Length + 2);
        return rest.StartsWith("error:") || rest.StartsWith("warning:") || rest.StartsWith("detail:") || rest.StartsWith("hint:")
            || rest.StartsWith("fatal:") || rest.StartsWith("from TOC entry");
    }

    private bool IsToolLine(string line) => Name.Length > 0 && line.StartsWith(Name + ": ", StringComparison.Ordinal);

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
        var partial = new StringBuilder();
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

            if (_stderrLine is not null)
                SplitLines(buffer.AsSpan(0, n), partial);
        }

        if (partial.Length > 0)
            _stderrLine?.Invoke(partial.ToString());
    }

    // Lines longer than the kept stderr are cut: they are shown to the observer for progress, not kept.
    private void SplitLines(ReadOnlySpan<char> chunk, StringBuilder partial)
    {
        int newline;
        while ((newline = chunk.IndexOf('\n')) >= 0)
        {
            partial.Append(chunk[..newline]);
            _stderrLine!(partial.ToString());
            partial.Clear();
            chunk = chunk[(newline + 1)..];
        }

        partial.Append(chunk[..Math.Min(chunk.Length, Math.Max(0, StderrLimit - partial.Length))]);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Kill();
        await DrainStderrAsync();
        _process.Dispose();
    }
}
