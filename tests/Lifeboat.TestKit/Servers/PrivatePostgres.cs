using System.Globalization;
using System.Text;
using Lifeboat.TestKit.Configuration;
using Npgsql;

namespace Lifeboat.TestKit.Servers;

/// <summary>
/// A PostgreSQL cluster of one test's own: a copy of the run's template (or an existing data directory) on a free port
/// of 127.0.0.1, with its own socket directory and the settings the test gives. Disposing stops it at once and
/// removes its files, data directory included.
/// </summary>
/// <example>
/// <code>
/// await using var pg = await PrivatePostgres.CreateAsync(ct);
/// await pg.Set("archive_mode", "on").Set("archive_command", "cp %p /x/%f").StartAsync(ct);
/// </code>
/// </example>
public sealed class PrivatePostgres : IAsyncDisposable, IPrivateServer
{
    /// <summary>The superuser every private cluster has.</summary>
    public const string Superuser = "postgres";

    /// <summary>The superuser's password (SCRAM over TCP). Not a secret: the clusters listen on loopback and live for one test.</summary>
    public const string Password = "lifeboat-private-pg";

    /// <summary>The file in <see cref="Directory"/> naming the data directory, so a later run can stop a cluster this one abandoned.</summary>
    internal const string DataDirectoryNote = "data-directory";

    private const int BindAttempts = 5;

    private readonly Dictionary<string, string> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _settingOrder = [];

    private PrivatePostgres(string directory, string dataDirectory)
    {
        Directory = directory;
        DataDirectory = dataDirectory;
    }

    /// <summary>The host the cluster listens on.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The TCP port; a new free one is chosen at each start.</summary>
    public int Port { get; private set; }

    /// <summary>This cluster's own directory: socket directory, log, and (unless it was adopted) the data directory.</summary>
    public string Directory { get; }

    /// <summary>The data directory (PGDATA).</summary>
    public string DataDirectory { get; }

    /// <summary>The directory of the cluster's Unix socket, a host for libpq (psql -h).</summary>
    public string SocketDirectory => Path.Combine(Directory, "sock");

    /// <summary>The server's log.</summary>
    public string LogFile => Path.Combine(Directory, "postgres.log");

    /// <summary>True between a successful start and a stop.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>How long a start may take, recovery included.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Creates a cluster from the run's template, not started yet, so the test can add settings first.</summary>
    public static async Task<PrivatePostgres> CreateAsync(CancellationToken cancellationToken)
    {
        var template = await PostgresTemplate.DataDirectoryAsync();
        var directory = TestRunDirectory.NewPath("pg");
        var cluster = new PrivatePostgres(directory, Path.Combine(directory, "data"));
        await cluster.CreateOwnDirectoriesAsync(cancellationToken);
        // cp -a keeps the owner and the 0700 mode postgres insists on.
        await ExternalCommand.RunAsync("cp", ["-a", template, cluster.DataDirectory], cancellationToken);
        return cluster;
    }

    /// <summary>Creates a cluster from the template and starts it with <paramref name="settings"/> (postgresql.conf names and values).</summary>
    public static async Task<PrivatePostgres> StartNewAsync(IEnumerable<KeyValuePair<string, string>> settings, CancellationToken cancellationToken)
    {
        var cluster = await CreateAsync(cancellationToken);
        try
        {
            foreach (var (name, value) in settings)
                cluster.Set(name, value);
            await cluster.StartAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a cluster from the template and starts it with PostgreSQL's defaults.</summary>
    public static Task<PrivatePostgres> StartNewAsync(CancellationToken cancellationToken) => StartNewAsync([], cancellationToken);

    /// <summary>
    /// A path, not yet existing, where a test may put a data directory to adopt (a copy, a restore): unlike a temp
    /// directory of the test's user, the server's OS user can reach it.
    /// </summary>
    public static string NewDataDirectoryPath() => TestRunDirectory.NewPath("pgdata");

    /// <summary>
    /// A cluster on an existing data directory (a restored or copied one), not started yet. The directory becomes the
    /// cluster's: it is handed to the server's OS user, and disposing removes it.
    /// </summary>
    public static async Task<PrivatePostgres> AdoptAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        // Resolved as the kernel reports the postmaster's directory, which is how the kit recognises it (PostmasterPidFile).
        var full = SymbolicLinks.Resolve(dataDirectory);
        if (!File.Exists(Path.Combine(full, "PG_VERSION")))
            throw new ArgumentException($"{full} is not a PostgreSQL data directory (no PG_VERSION)", nameof(dataDirectory));
        var cluster = new PrivatePostgres(TestRunDirectory.NewPath("pg"), full);
        await cluster.CreateOwnDirectoriesAsync(cancellationToken);
        RemoveCopiedLock(full);
        await PostgresOsUser.TakeOwnershipAsync(full, cancellationToken);
        await PostgresTemplate.IncludeStartSettingsAsync(full, cancellationToken);
        return cluster;
    }

    /// <summary>Sets a postgresql.conf setting for the next start; the test's settings win over the kit's defaults.</summary>
    public PrivatePostgres Set(string name, string value)
    {
        if (!_settings.ContainsKey(name))
            _settingOrder.Add(name);
        _settings[name] = value;
        return this;
    }

    /// <summary>Starts the server with pg_ctl and waits until it accepts connections.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsRunning)
            throw new InvalidOperationException($"the cluster in {DataDirectory} is already running on port {Port}");
        // Noted before pg_ctl runs, not after: a test process ending while pg_ctl waits must still stop the server
        // pg_ctl started, rather than remove its files from under it. A failed start notes it stopped again.
        TestRunDirectory.Started(this);
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeTcpPort.Pick();
            await WriteStartSettingsAsync(cancellationToken);
            var logLength = ServerLog.LengthOf(LogFile);
            var (exitCode, output, errors) = await PgCtlAsync(
                ["start", "-w", "-t", ((int)StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-l", LogFile], cancellationToken);
            if (exitCode == 0)
                break;
            var log = ServerLog.Since(LogFile, logLength);
            // Another process took the port between the pick and the bind: try another one.
            if (attempt < BindAttempts && log.Contains("could not bind", StringComparison.Ordinal))
                continue;
            await StopNowIfStartedAsync(cancellationToken);
            throw new InvalidOperationException($"PostgreSQL in {DataDirectory} did not start: {errors.Trim()} {output.Trim()}\n--- {LogFile} ---\n{log}");
        }

        IsRunning = true;
    }

    /// <summary>Stops the server cleanly (a checkpoint, no recovery at the next start) and keeps its files.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!IsRunning)
            return;
        await PostgresOsUser.RunAsync(PostgresBinaries.Program("pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "-s"], cancellationToken);
        MarkStopped();
    }

    /// <summary>A connection string for <paramref name="database"/> as the superuser over TCP, without pooling.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = Superuser,
        Password = Password,
        Database = database,
        // A pooled connection would outlive the cluster, and a later cluster may get the same port.
        Pooling = false,
        Timeout = 15,
        CommandTimeout = 120,
    }.ConnectionString;

    /// <summary>Runs SQL (one or more statements) in the postgres database.</summary>
    public Task ExecuteAsync(string sql, CancellationToken cancellationToken) => ExecuteAsync(sql, "postgres", cancellationToken);

    /// <summary>Runs SQL (one or more statements) in <paramref name="database"/>.</summary>
    public async Task ExecuteAsync(string sql, string database, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(database, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row of a query in the postgres database, as text (null for SQL NULL or no row).</summary>
    public Task<string?> QueryValueAsync(string sql, CancellationToken cancellationToken) => QueryValueAsync(sql, "postgres", cancellationToken);

    /// <summary>The first column of the first row of a query in <paramref name="database"/>, as text (null for SQL NULL or no row).</summary>
    public async Task<string?> QueryValueAsync(string sql, string database, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(database, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken) switch
        {
            null or DBNull => null,
            IFormattable value => value.ToString(null, CultureInfo.InvariantCulture),
            var value => value.ToString(),
        };
    }

    /// <summary>A config-file source for <paramref name="database"/> on this cluster; the password is read from <paramref name="passwordEnv"/>.</summary>
    public PostgresSourceConfig Source(string name, string database, string passwordEnv) => new()
    {
        Name = name,
        Host = Host,
        Port = Port,
        Database = database,
        User = Superuser,
        PasswordEnv = passwordEnv,
    };

    /// <summary>Creates a directory in <see cref="Directory"/> that the server may write, e.g. for archive_command.</summary>
    public async Task<string> CreateServerDirectoryAsync(string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Directory, name);
        await PostgresOsUser.CreateDirectoriesAsync([path], cancellationToken);
        return path;
    }

    /// <summary>
    /// Turns TLS on for the next start with a certificate <paramref name="authority"/> issues for <paramref name="dnsNames"/>
    /// and <paramref name="addresses"/>, its key readable by the server's user alone, as PostgreSQL insists.
    /// </summary>
    public async Task<PrivatePostgres> UseTlsAsync(
        TestCertificateAuthority authority, IEnumerable<string> dnsNames, IEnumerable<System.Net.IPAddress> addresses, CancellationToken cancellationToken)
    {
        var (certificate, key) = authority.IssueServer("lifeboat test server", dnsNames, addresses);
        var certificatePath = Path.Combine(Directory, "server.crt");
        var keyPath = Path.Combine(Directory, "server.key");
        await File.WriteAllTextAsync(certificatePath, certificate, cancellationToken);
        await File.WriteAllTextAsync(keyPath, key, cancellationToken);
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await PostgresOsUser.GiveFileAsync(certificatePath, cancellationToken);
        await PostgresOsUser.GiveFileAsync(keyPath, cancellationToken);
        return Set("ssl", "on").Set("ssl_cert_file", certificatePath).Set("ssl_key_file", keyPath);
    }

    /// <summary>Replaces the cluster's pg_hba.conf with <paramref name="lines"/> for the next start (hostssl-only, say).</summary>
    public async Task<PrivatePostgres> UseHbaAsync(IEnumerable<string> lines, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Directory, "pg_hba.conf");
        await File.WriteAllLinesAsync(path, lines, cancellationToken);
        await PostgresOsUser.GiveFileAsync(path, cancellationToken);
        return Set("hba_file", path);
    }

    /// <summary>Stops the server at once (immediate mode: no checkpoint) and removes its directory and data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopNowIfStartedAsync(CancellationToken.None);
        await DeleteTreeAsync(Directory);
        await DeleteTreeAsync(DataDirectory);
    }

    void IPrivateServer.StopNow() => QuitNow(DataDirectory);

    // A lifeboat the server started (an archive_command's async pusher, a wal-fetch's prefetch) may still be writing
    // its last file under the directory as the tree goes; removal is tried again until it has finished.
    private static async Task DeleteTreeAsync(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (System.IO.Directory.Exists(path))
                    System.IO.Directory.Delete(path, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }

    /// <summary>Stops the cluster a run that died left in <paramref name="serverDirectory"/>, when its postmaster is certain.</summary>
    internal static void StopAbandoned(string serverDirectory)
    {
        var note = Path.Combine(serverDirectory, DataDirectoryNote);
        if (File.Exists(note))
            QuitNow(File.ReadAllText(note).Trim());
    }

    // SIGQUIT is PostgreSQL's immediate shutdown. Waited for, because the caller removes the data directory next,
    // and a server still writing as it stops would leave part of it behind.
    private static void QuitNow(string dataDirectory)
    {
        if (PostmasterPidFile.VerifiedPid(dataDirectory) is not { } pid)
            return;
        ProcessSignal.SendNow(pid, "QUIT");
        LinuxProcess.WaitUntilEnded(pid, TimeSpan.FromSeconds(10));
    }

    private async Task CreateOwnDirectoriesAsync(CancellationToken cancellationToken)
    {
        await PostgresOsUser.CreateDirectoriesAsync([Directory, SocketDirectory], cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(Directory, DataDirectoryNote), DataDirectory, cancellationToken);
    }

    private async Task StopNowIfStartedAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(DataDirectory, PostmasterPidFile.Name)))
        {
            MarkStopped();
            return;
        }

        var (exitCode, _, _) = await PgCtlAsync(["stop", "-m", "immediate", "-w", "-t", "30"], cancellationToken);
        if (exitCode != 0 && PostmasterPidFile.VerifiedPid(DataDirectory) is { } pid)
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        MarkStopped();
    }

    private void MarkStopped()
    {
        IsRunning = false;
        TestRunDirectory.Stopped(this);
    }

    private Task<(int ExitCode, string Output, string Errors)> PgCtlAsync(string[] arguments, CancellationToken cancellationToken) =>
        PostgresOsUser.TryRunAsync(PostgresBinaries.Program("pg_ctl"), [.. arguments, "-D", DataDirectory, "-s"], cancellationToken);

    private async Task<NpgsqlConnection> OpenAsync(string database, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private async Task WriteStartSettingsAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder()
            .AppendLine("# Written by Lifeboat.TestKit at every start: the kit's settings, then the test's (later lines win).")
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine(CultureInfo.InvariantCulture, $"port = {Port}")
            .AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = {Quote(SocketDirectory)}")
            .AppendLine(CultureInfo.InvariantCulture, $"cluster_name = {Quote("lifeboat-test-" + Path.GetFileName(Directory))}")
            // Small and unsynced: several clusters share a 2-core machine, and none has to survive a power cut.
            .AppendLine("shared_buffers = '32MB'")
            .AppendLine("max_connections = 50")
            .AppendLine("fsync = off")
            .AppendLine("log_line_prefix = '%m [%p] %q%u@%d '");
        foreach (var name in _settingOrder)
            text.AppendLine(CultureInfo.InvariantCulture, $"{name} = {Quote(_settings[name])}");
        var path = Path.Combine(DataDirectory, PostgresTemplate.StartSettingsFile);
        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
        await PostgresOsUser.GiveFileAsync(path, cancellationToken);
    }

    // postgresql.conf strings: single quotes doubled, backslashes escaped; every kind of value may be quoted.
    private static string Quote(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";


    /// <summary>A copy of a data directory may carry its original's postmaster.pid, which would stop this one from starting.</summary>
    private static void RemoveCopiedLock(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, PostmasterPidFile.Name);
        if (!File.Exists(pidFile))
            return;
        // The second line names the data directory the lock belongs to: a lock of this very directory is a live
        // server's (or a crashed one's, which postgres clears itself), never to be removed from under it.
        var lockedDirectory = File.ReadLines(pidFile).Skip(1).FirstOrDefault();
        if (lockedDirectory is not null && Path.GetFullPath(lockedDirectory) != dataDirectory)
            File.Delete(pidFile);
    }
}
