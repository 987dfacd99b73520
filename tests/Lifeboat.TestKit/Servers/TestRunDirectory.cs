using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Lifeboat.TestKit.Servers;

/// <summary>
/// This test process's directory for private servers, ROOT/PID-RANDOM under <see cref="TestEnvironment.PrivateServersRoot"/>,
/// locked (<see cref="RunLock"/>) for as long as the process lives. At process exit it stops the servers still running
/// and removes itself; the first use also clears up after runs whose process died without doing so (<see cref="AbandonedRuns"/>).
/// </summary>
internal static class TestRunDirectory
{
    private const UnixFileMode EveryoneMayEnter = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static readonly Lazy<string> Created = new(Create);
    private static readonly ConcurrentDictionary<IPrivateServer, byte> Running = new();
    private static readonly Lock Ending = new();
    private static bool ended;

    // Held, never read: the lock lasts as long as the stream is open, and the kernel drops it when the process ends.
    private static FileStream? runLock;

    // Kept referenced: a registration that is collected stops handling its signal.
    private static PosixSignalRegistration? terminationHandler;

    /// <summary>The directory; servers make their own directories in it.</summary>
    public static string Path => Created.Value;

    /// <summary>A new, not yet existing path in the directory: PREFIX-RANDOM.</summary>
    public static string NewPath(string prefix) => System.IO.Path.Combine(Path, $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}");

    /// <summary>
    /// Notes a server about to start, so the process's exit stops it if the test does not; throws once the process is
    /// ending, when nothing would stop it. Called before the server's program runs, which must not run after a throw.
    /// </summary>
    public static void Started(IPrivateServer server)
    {
        lock (Ending)
        {
            if (ended)
                throw new InvalidOperationException("the test process is ending: no private server starts now");
            Running.TryAdd(server, 0);
        }
    }

    /// <summary>Notes a server that stopped.</summary>
    public static void Stopped(IPrivateServer server) => Running.TryRemove(server, out _);

    private static string Create()
    {
        var root = TestEnvironment.PrivateServersRoot;
        // Others must be able to pass through: the PostgreSQL clusters in it run as the postgres user.
        Directory.CreateDirectory(root, EveryoneMayEnter);
        // Servers are recognised by their working directory, which the kernel reports with links resolved.
        root = SymbolicLinks.Resolve(root);
        AbandonedRuns.Clear(root);
        var run = CreateLocked(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Clear(run);
        // Since .NET 10 a process that SIGTERM ends (a timeout's, say) raises no ProcessExit: stop the servers then as
        // well, and let the signal go on to end the process. The directory stays: tests still running may be starting
        // a server this very moment, and the next run's sweep, which verifies before it signals, will find it there.
        // Not SIGINT: test runners take a Ctrl+C as "cancel the run", after which the process exits as usual.
        terminationHandler = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => StopServers());
        return run;
    }

    /// <summary>
    /// Makes the run directory under a hidden name, takes its lock, and only then gives it its name: no other process
    /// ever sees it under that name unlocked, where it would take it for abandoned.
    /// </summary>
    private static string CreateLocked(string root)
    {
        var name = $"{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
        var beingCreated = System.IO.Path.Combine(root, AbandonedRuns.BeingCreatedPrefix + name);
        Directory.CreateDirectory(beingCreated, EveryoneMayEnter);
        runLock = RunLock.Take(beingCreated);
        var run = System.IO.Path.Combine(root, name);
        // The lock belongs to the open file, not its path: it holds across the rename.
        Directory.Move(beingCreated, run);
        return run;
    }

    private static void Clear(string run)
    {
        StopServers();
        Remove(run);
        runLock?.Dispose();
    }

    private static void StopServers()
    {
        lock (Ending)
            ended = true;
        foreach (var server in Running.Keys)
            server.StopNow();
    }

    /// <summary>
    /// Removes a run directory, its lock file last: a run that could only be removed in part (a server still writing
    /// as it stopped) keeps its lock file, so that a later run takes the lock and finishes the job at once rather than
    /// waiting out <see cref="AbandonedRuns.LocklessGrace"/>.
    /// </summary>
    public static void Remove(string run)
    {
        if (!Directory.Exists(run))
            return;
        var lockFile = RunLock.PathIn(run);
        foreach (var entry in Directory.EnumerateFileSystemEntries(run).Where(entry => entry != lockFile).ToList())
            DeleteQuietly(entry);
        if (!Directory.EnumerateFileSystemEntries(run).Any(entry => entry != lockFile))
            DeleteQuietly(run);
    }

    /// <summary>Removes a file or a tree, leaving what cannot be removed (a server that is still shutting down may hold files).</summary>
    private static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
            else
                File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
