namespace Lifeboat.Postgres.Wal;

/// <summary>
/// The archive_command side of asynchronous archiving: waits for the background pusher's verdict on one file,
/// starting the pusher when none runs. Exits successfully only on a "stored" verdict, which the pusher writes only
/// after the file is durable.
/// </summary>
/// <param name="spool">Where the verdicts are.</param>
/// <param name="startPusher">Starts a background pusher process (the front end knows how to launch itself).</param>
/// <param name="timeout">How long to wait for the verdict before failing, so that PostgreSQL retries.</param>
public sealed class WalAsyncPush(WalSpool spool, Action startPusher, TimeSpan timeout)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan PusherCheck = TimeSpan.FromMilliseconds(500);

    /// <summary>Returns once the file at <paramref name="path"/> is stored; throws with the pusher's reason, or after the timeout.</summary>
    public async Task WaitAsync(string path, CancellationToken cancellationToken)
    {
        var fileName = Path.GetFileName(path);
        var stamp = WalFileStamp.Of(path)
            ?? throw new LifeboatException($"WAL file '{path}' does not exist", "archive_command must pass the file PostgreSQL names as %p, relative to the data directory", FailureKind.Usage);
        spool.Create();
        var deadline = DateTime.UtcNow + timeout;
        var nextCheck = DateTime.MinValue;
        while (DateTime.UtcNow < deadline)
        {
            if (spool.TakeVerdict(fileName, stamp))
                return;
            if (DateTime.UtcNow >= nextCheck)
            {
                // Started again when it exited while idle, or died: its lock went with it.
                if (!WalBackgroundPusher.IsRunning(spool))
                    startPusher();
                nextCheck = DateTime.UtcNow + PusherCheck;
            }

            await Task.Delay(Poll, cancellationToken);
        }

        throw new LifeboatException(
            $"the background pusher did not archive {fileName} within {timeout.TotalSeconds:0} s",
            "PostgreSQL retries the file; check the pusher's log in the spool directory, and that the repository is reachable");
    }
}
