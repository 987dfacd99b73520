namespace Lifeboat.TestKit.Servers;

/// <summary>
/// Clears up after test processes that died without doing so themselves (killed by a timeout, say): stops the servers
/// they left running and removes their run directories, so the servers do not run on and the files do not pile up.
/// </summary>
internal static class AbandonedRuns
{
    /// <summary>The prefix of a run directory being created: hidden until it holds its lock (see <see cref="TestRunDirectory"/>).</summary>
    public const string BeingCreatedPrefix = ".";

    /// <summary>
    /// How long a run directory with no lock to go by must have been left untouched before it counts as abandoned:
    /// one made by a kit from before run locks, or whose process died before taking its lock or while creating it.
    /// </summary>
    public static readonly TimeSpan LocklessGrace = TimeSpan.FromHours(1);

    /// <summary>Clears every abandoned run directory in <paramref name="root"/>; a run whose process lives is never touched.</summary>
    public static void Clear(string root)
    {
        // Without locks every run would look abandoned, live ones included.
        if (RunLock.LockingIsOff)
            return;
        foreach (var run in Directory.GetDirectories(root))
        {
            try
            {
                ClearIfAbandoned(run);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process cleared it first, or this user may not: neither should fail the test starting now.
            }
        }
    }

    private static void ClearIfAbandoned(string run)
    {
        if (!HasLockToGoBy(run))
        {
            if (UntouchedFor(run, LocklessGrace))
                StopServersAndDelete(run);
            return;
        }

        // Held while clearing, so a process that clears up at the same time passes this run by.
        using var runLock = RunLock.TryTakeExisting(run);
        if (runLock is not null)
            StopServersAndDelete(run);
    }

    // A run being created takes its lock only just after making its lock file: in between, the lock proves nothing.
    private static bool HasLockToGoBy(string run) =>
        !Path.GetFileName(run).StartsWith(BeingCreatedPrefix, StringComparison.Ordinal) && File.Exists(RunLock.PathIn(run));

    private static bool UntouchedFor(string path, TimeSpan time) => Directory.GetLastWriteTimeUtc(path) < DateTime.UtcNow - time;

    // Each kind of server finds and verifies its own process from what it left in its directory.
    private static void StopServersAndDelete(string run)
    {
        foreach (var server in Directory.GetDirectories(run))
        {
            PrivatePostgres.StopAbandoned(server);
            PrivateRedis.StopAbandoned(server);
        }

        TestRunDirectory.Remove(run);
    }
}
