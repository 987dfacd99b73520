using System.Collections.Concurrent;
using System.Globalization;

namespace Lifeboat.TestKit.Servers;

/// <summary>
/// This test process's directory for private servers, ROOT/PID-RANDOM under <see cref="TestEnvironment.PrivateServersRoot"/>.
/// At process exit it stops the servers still running and removes itself; the first use also clears up after runs whose
/// process died without doing so (killed by a timeout, say), so their servers do not run on forever.
/// </summary>
internal static class TestRunDirectory
{
    private const UnixFileMode EveryoneMayEnter = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static readonly Lazy<string> Created = new(Create);
    private static readonly ConcurrentDictionary<IPrivateServer, byte> Running = new();

    /// <summary>The directory; servers make their own directories in it.</summary>
    public static string Path => Created.Value;

    /// <summary>A new, not yet existing path in the directory: PREFIX-RANDOM.</summary>
    public static string NewPath(string prefix) => System.IO.Path.Combine(Path, $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}");

    /// <summary>Notes a started server, so the process's exit stops it if the test does not.</summary>
    public static void Started(IPrivateServer server) => Running.TryAdd(server, 0);

    /// <summary>Notes a server that stopped.</summary>
    public static void Stopped(IPrivateServer server) => Running.TryRemove(server, out _);

    private static string Create()
    {
        var root = TestEnvironment.PrivateServersRoot;
        // Others must be able to pass through: the PostgreSQL clusters in it run as the postgres user.
        Directory.CreateDirectory(root, EveryoneMayEnter);
        ClearAbandonedRuns(root);
        var run = System.IO.Path.Combine(root, $"{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(run, EveryoneMayEnter);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Clear(run);
        return run;
    }

    private static void Clear(string run)
    {
        foreach (var server in Running.Keys)
            server.StopNow();
        DeleteQuietly(run);
    }

    private static void ClearAbandonedRuns(string root)
    {
        foreach (var run in Directory.GetDirectories(root))
        {
            var name = System.IO.Path.GetFileName(run);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || Directory.Exists($"/proc/{pid}"))
                continue;
            foreach (var server in Directory.GetDirectories(run))
                StopAbandoned(server);
            DeleteQuietly(run);
        }
    }

    // The two kinds of server leave what it takes to find their process: see PrivatePostgres and PrivateRedis.
    private static void StopAbandoned(string serverDirectory)
    {
        var dataDirectoryNote = System.IO.Path.Combine(serverDirectory, PrivatePostgres.DataDirectoryNote);
        if (File.Exists(dataDirectoryNote))
            ProcessSignal.SendNow(System.IO.Path.Combine(File.ReadAllText(dataDirectoryNote).Trim(), "postmaster.pid"), "postgres", "QUIT");
        ProcessSignal.SendNow(System.IO.Path.Combine(serverDirectory, PrivateRedis.PidFileName), "redis-server", "KILL");
    }

    /// <summary>Removes a tree, leaving what cannot be removed (a server that is still shutting down may hold files).</summary>
    public static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
