namespace Lifeboat.Repository;

/// <summary>Who holds a repository lock, stored as locks/&lt;id&gt;.</summary>
public sealed record LockRecord
{
    /// <summary>Lock id (also its object name).</summary>
    public required string Id { get; init; }

    /// <summary>True for an exclusive lock (prune), false for a shared one (backup, restore).</summary>
    public required bool Exclusive { get; init; }

    /// <summary>The command holding the lock.</summary>
    public required string Command { get; init; }

    /// <summary>Host name of the holder.</summary>
    public required string Host { get; init; }

    /// <summary>Process id of the holder.</summary>
    public required int Pid { get; init; }

    /// <summary>When the lock was taken.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the holder last proved it is alive.</summary>
    public required DateTimeOffset HeartbeatAt { get; init; }

    /// <summary>A lock is stale when its heartbeat stopped, or its holder on this very host is gone.</summary>
    public bool IsStale(DateTimeOffset now, TimeSpan staleAfter) =>
        now - HeartbeatAt > staleAfter || (Host == Environment.MachineName && !ProcessIsAlive(Pid));

    /// <summary>One line naming the holder, for messages.</summary>
    public string Describe() =>
        $"{(Exclusive ? "exclusive" : "shared")} lock {Id} held by '{Command}' on host {Host}, pid {Pid}, since {CreatedAt:yyyy-MM-ddTHH:mm:ssZ} (last heartbeat {HeartbeatAt:yyyy-MM-ddTHH:mm:ssZ})";

    private static bool ProcessIsAlive(int pid)
    {
        if (pid == Environment.ProcessId)
            return true;
        // /proc is authoritative on Linux; a zombie counts as gone.
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status))
            return false;
        try
        {
            return !File.ReadLines(status).Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
