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

    // Held, never read: the lock lasts as long as the stream is open, and the kernel drops it when the process ends.
    private static FileStream? runLock;

    // Kept referenced: a registration that is collected stops handling its signal.
    private static PosixSignalRegistration? terminationHandler;

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
        // Servers are recognised by their working directory, which the kernel reports with links resolved.
        root = SymbolicLinks.Resolve(root);
        AbandonedRuns.Clear(root);
        var run = CreateLocked(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Clear(run);
        // Since .NET 10 a process that SIGTERM ends (a timeout's, say) raises no ProcessExit: clear up then as well,
        // and let the signal go on to end the process. Not SIGINT: test runners take a Ctrl+C as "cancel the run",
        // after which the tests still dispose their servers and the process exits as usual.
        terminationHandler = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Clear(run));
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
        foreach (var server in Running.Keys)
            server.StopNow();
        DeleteQuietly(run);
        runLock?.Dispose();
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
