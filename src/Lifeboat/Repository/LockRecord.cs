using System.Text.Json.Serialization;

namespace Lifeboat.Repository;

/// <summary>Who holds a repository lock, stored as locks/&lt;id&gt;.</summary>
public sealed record LockRecord
{
    /// <summary>Lock id (also its object name).</summary>
    public required string Id { get; init; }

    /// <summary>True for an exclusive lock, false for a shared one.</summary>
    public required bool Exclusive { get; init; }

    /// <summary>What the lock covers: "" for the whole repository, "keys", or "source/name"; null in records written before scopes, which covered the whole repository.</summary>
    public string? Scope { get; init; }

    /// <summary>The command holding the lock.</summary>
    public required string Command { get; init; }

    /// <summary>Host name of the holder.</summary>
    public required string Host { get; init; }

    /// <summary>Process id of the holder.</summary>
    public required int Pid { get; init; }

    /// <summary>A random token of the holding process; null in records written before it was kept.</summary>
    public string? Owner { get; init; }

    /// <summary>The holder's kernel boot id; null where unknown.</summary>
    public string? BootId { get; init; }

    /// <summary>The holder's start time in clock ticks since boot; with <see cref="BootId"/> it tells the holder from a later process with the same pid.</summary>
    public long? ProcessStart { get; init; }

    /// <summary>The holder's pid namespace; only a process in the same one can look its pid up.</summary>
    public string? PidNamespace { get; init; }

    /// <summary>When the lock was taken.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the holder last proved it is alive.</summary>
    public required DateTimeOffset HeartbeatAt { get; init; }

    /// <summary>The scope as a value.</summary>
    [JsonIgnore]
    public LockScope LockScope => new(Scope ?? "");

    /// <summary>True when this lock and one of <paramref name="exclusive"/> kind over <paramref name="scope"/> cannot both be held.</summary>
    public bool ConflictsWith(LockScope scope, bool exclusive) => (Exclusive || exclusive) && LockScope.Overlaps(scope);

    /// <summary>
    /// A lock is stale when its heartbeat stopped, or when its holder ran on this very host and kernel and is gone:
    /// no process with its pid, or one that started at another time (the pid was reused).
    /// </summary>
    public bool IsStale(DateTimeOffset now, TimeSpan staleAfter) =>
        now - HeartbeatAt > staleAfter || (Host == Environment.MachineName && HolderIsGone());

    /// <summary>One line naming the holder, for messages.</summary>
    public string Describe() =>
        $"{(Exclusive ? "exclusive" : "shared")} lock {Id} on {LockScope} held by '{Command}' on host {Host}, pid {Pid}, since {CreatedAt:yyyy-MM-ddTHH:mm:ssZ} (last heartbeat {HeartbeatAt:yyyy-MM-ddTHH:mm:ssZ})";

    private bool HolderIsGone()
    {
        // Another kernel with this host name (a rebooted node, or a pod moved to another node under its old name):
        // its processes cannot be seen from here, so only the heartbeat can tell.
        if (BootId is not null && BootId != ProcessIdentity.BootId)
            return false;
        // Another pid namespace on this kernel and host name (a sidecar container, a host-network pod): the pid means
        // another process here, or none.
        if (PidNamespace is not null && PidNamespace != ProcessIdentity.PidNamespace)
            return false;
        if (Owner is not null && Owner == ProcessIdentity.Token)
            return false;
        // A record from before start times were kept names only a pid; as before, this process's own pid counts as alive.
        if (ProcessStart is null && Pid == Environment.ProcessId)
            return false;
        return !ProcessIdentity.IsAlive(Pid, ProcessStart);
    }
}
