using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Lifeboat.TestKit.Servers;

/// <summary>
/// A redis-server of one test's own, on a free port of 127.0.0.1 with its own directory (config, log, data). Disposing
/// kills it and removes the directory.
/// </summary>
public sealed class PrivateRedis : IAsyncDisposable, IPrivateServer
{
    /// <summary>The pid file in <see cref="Directory"/>, so a later run can stop a server this one abandoned.</summary>
    internal const string PidFileName = "redis.pid";

    private const int BindAttempts = 5;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Func<int> _pickPort;
    private Process? _process;

    private PrivateRedis(string directory, PrivateRedisOptions options, Func<int> pickPort)
    {
        Directory = directory;
        Password = options.Password;
        Options = options;
        _pickPort = pickPort;
    }

    /// <summary>The host the server listens on.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The TCP port.</summary>
    public int Port { get; private set; }

    /// <summary>The port that speaks TLS when <see cref="PrivateRedisOptions.TlsCertificate"/> was given; 0 otherwise.</summary>
    public int TlsPort { get; private set; }

    /// <summary>The password clients must AUTH with, or null.</summary>
    public string? Password { get; }

    /// <summary>This server's directory: redis.conf, the log, the pid file and <see cref="DataDirectory"/>.</summary>
    public string Directory { get; }

    /// <summary>Redis's working directory, where dump.rdb and the append-only files go.</summary>
    public string DataDirectory => DataDirectoryOf(Directory);

    /// <summary>The server's log.</summary>
    public string LogFile => Path.Combine(Directory, "redis.log");

    /// <summary>"host:port" with ",password=…" when there is one: a StackExchange.Redis configuration string.</summary>
    public string ConfigurationString =>
        $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}" + (Password is null ? "" : $",password={Password}");

    /// <summary>True while the server process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The pid of the server process of the last start; throws once disposed.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"the redis-server in {Directory} was disposed");

    private PrivateRedisOptions Options { get; }

    private string ConfigFile => Path.Combine(Directory, "redis.conf");

    /// <summary>Starts a server with no password and the kit's defaults.</summary>
    public static Task<PrivateRedis> StartAsync(CancellationToken cancellationToken) => StartAsync(new PrivateRedisOptions(), cancellationToken);

    /// <summary>Starts a server with <paramref name="options"/> and waits until it answers as itself.</summary>
    public static Task<PrivateRedis> StartAsync(PrivateRedisOptions options, CancellationToken cancellationToken) =>
        StartAsync(options, FreeTcpPort.Pick, cancellationToken);

    /// <summary>Like <see cref="StartAsync(PrivateRedisOptions, CancellationToken)"/>, trying the ports <paramref name="pickPort"/> gives, a new one at each attempt.</summary>
    internal static async Task<PrivateRedis> StartAsync(PrivateRedisOptions options, Func<int> pickPort, CancellationToken cancellationToken)
    {
        var redis = new PrivateRedis(TestRunDirectory.NewPath("redis"), options, pickPort);
        System.IO.Directory.CreateDirectory(redis.DataDirectory);
        try
        {
            await redis.StartProcessAsync(cancellationToken);
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server with SIGTERM, which lets Redis finish its files (the append-only file, say), and keeps the directory.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_process is not { HasExited: false } process)
            return;
        await ExternalCommand.RunAsync("/bin/sh", ["-c", $"kill -TERM {process.Id}"], cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        TestRunDirectory.Stopped(this);
    }

    /// <summary>Kills the server and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
            _process = null;
            TestRunDirectory.Stopped(this);
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }

    void IPrivateServer.StopNow()
    {
        if (_process is { HasExited: false } process)
            process.Kill();
    }

    /// <summary>Kills the server a run that died left in <paramref name="directory"/>, when its pid file certainly names it.</summary>
    internal static void StopAbandoned(string directory)
    {
        if (VerifiedPid(directory) is { } pid)
            ProcessSignal.SendNow(pid, "KILL");
    }

    /// <summary>
    /// The pid in the server's pid file when that process works in the server's data directory and started no later
    /// than the file was written; null otherwise. After a reboot or in another PID namespace the number may name any process.
    /// </summary>
    internal static int? VerifiedPid(string directory)
    {
        var pidFile = Path.Combine(directory, PidFileName);
        try
        {
            if (!int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                return null;
            var written = File.GetLastWriteTimeUtc(pidFile);
            return LinuxProcess.IsAlive(pid)
                && LinuxProcess.WorkingDirectory(pid) == DataDirectoryOf(directory)
                && LinuxProcess.StartedNoLaterThan(pid, written)
                ? pid
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string DataDirectoryOf(string directory) => Path.Combine(directory, "data");

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = _pickPort();
            TlsPort = Options.TlsCertificate is null ? 0 : _pickPort();
            await File.WriteAllTextAsync(ConfigFile, await ConfigAsync(cancellationToken), cancellationToken);
            var logLength = ServerLog.LengthOf(LogFile);
            _process?.Dispose();
            _process = null;
            TestRunDirectory.Started(this);
            _process = Process.Start(new ProcessStartInfo(TestEnvironment.RedisServerProgram, [ConfigFile])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("could not start redis-server");
            // It logs to its file; whatever it still prints must not fill a pipe nobody reads.
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            if (await ServesAsItselfAsync(_process, cancellationToken))
                return;
            var log = ServerLog.Since(LogFile, logLength);
            // Another server had the port (a test's, the devstack's): this one could not bind it and exited.
            if (attempt < BindAttempts && log.Contains("Address already in use", StringComparison.Ordinal))
                continue;
            throw new InvalidOperationException($"redis-server in {Directory} did not start on port {Port}\n--- {LogFile} ---\n{log}");
        }
    }

    /// <summary>
    /// True once the server on the port says it is <paramref name="process"/>; false when that process exits first, as
    /// it does when another server holds the port, which then answers in its stead.
    /// </summary>
    private async Task<bool> ServesAsItselfAsync(Process process, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
                return false;
            if (await RedisServerProbe.ProcessIdAsync(Host, Port, Password, cancellationToken) == process.Id)
                return true;
            await Task.Delay(20, cancellationToken);
        }

        process.Kill();
        return false;
    }

    private async Task<string> ConfigAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder()
            .AppendLine("# Written by Lifeboat.TestKit: the kit's settings, then the test's (later lines win).")
            .AppendLine("bind 127.0.0.1")
            .AppendLine(CultureInfo.InvariantCulture, $"port {Port}")
            .AppendLine("protected-mode yes")
            .AppendLine("daemonize no")
            .AppendLine(CultureInfo.InvariantCulture, $"dir {Quote(DataDirectory)}")
            .AppendLine(CultureInfo.InvariantCulture, $"logfile {Quote(LogFile)}")
            .AppendLine(CultureInfo.InvariantCulture, $"pidfile {Quote(Path.Combine(Directory, PidFileName))}")
            // No snapshots nor append-only file unless the test asks: nothing is written that it did not want.
            .AppendLine("save \"\"")
            .AppendLine("appendonly no");
        if (Password is not null)
            text.AppendLine(CultureInfo.InvariantCulture, $"requirepass {Quote(Password)}");
        if (Options.TlsCertificate is { } tls)
            await AppendTlsAsync(text, tls.Certificate, tls.Key, cancellationToken);
        foreach (var line in Options.ConfigLines)
            text.AppendLine(line);
        return text.ToString();
    }

    // The plain port stays: the kit asks it which process serves, and tests can compare the two.
    private async Task AppendTlsAsync(StringBuilder text, string certificate, string key, CancellationToken cancellationToken)
    {
        var certificatePath = Path.Combine(Directory, "server.crt");
        var keyPath = Path.Combine(Directory, "server.key");
        await File.WriteAllTextAsync(certificatePath, certificate, cancellationToken);
        await File.WriteAllTextAsync(keyPath, key, cancellationToken);
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        text.AppendLine(CultureInfo.InvariantCulture, $"tls-port {TlsPort}")
            .AppendLine(CultureInfo.InvariantCulture, $"tls-cert-file {Quote(certificatePath)}")
            .AppendLine(CultureInfo.InvariantCulture, $"tls-key-file {Quote(keyPath)}");
        if (Options.TlsClientAuthority is not { } clientAuthority)
        {
            text.AppendLine("tls-auth-clients no");
            return;
        }

        var clientAuthorityPath = Path.Combine(Directory, "client-ca.crt");
        await File.WriteAllTextAsync(clientAuthorityPath, clientAuthority, cancellationToken);
        text.AppendLine(CultureInfo.InvariantCulture, $"tls-ca-cert-file {Quote(clientAuthorityPath)}")
            .AppendLine("tls-auth-clients yes");
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

}
