using System.Globalization;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// A target that evicts keys when it is full (maxmemory set, a policy other than noeviction) takes a restore that does
/// not fit without a single error: it answers every RESTORE OK and deletes keys, restored ones among them, to make room.
/// So a restore whose keys would not fit is refused before its first write, and after its last the target's
/// evicted_keys must not have moved.
/// </summary>
internal static class EvictionGuard
{
    /// <summary>
    /// What the chosen keys are expected to take on the target: what the server backed up used (its used_memory when the
    /// backup was taken), in the share of the RDB's serialized values the restore writes; null when the backup did not say.
    /// </summary>
    public static long? Estimate(long? sourceUsedMemory, long selectedBytes, long totalBytes)
    {
        if (sourceUsedMemory is not { } used)
            return null;
        return selectedBytes >= totalBytes || totalBytes == 0 ? used : (long)((double)used * selectedBytes / totalBytes);
    }

    /// <summary>Throws, before anything is written, when <paramref name="memory"/> evicts and <paramref name="needed"/> more bytes would take it past its maxmemory.</summary>
    public static void RefuseWhenItWouldEvict(TargetServer server, TargetMemory memory, long? needed)
    {
        if (!memory.Evicts || needed is not { } more || memory.UsedMemory + more <= memory.MaxMemory)
            return;
        throw new LifeboatException(
            $"{server.Target.Name} deletes keys when it reaches its maxmemory ({Limit(memory)}), and the restore would take it there: "
            + $"it uses {ByteCount.Format(memory.UsedMemory)}, and the keys to restore took about {ByteCount.Format(more)} on the server backed up",
            "nothing was written; raise maxmemory on the target (CONFIG SET maxmemory), or set its maxmemory-policy to noeviction, so that no restored key is deleted unseen",
            FailureKind.Usage)
        {
            Remedy = new(RemedyAction.IgnoreMemoryEstimate),
        };
    }

    /// <summary>Throws when the target evicted keys since <paramref name="before"/> was read: the restore cannot say it holds what was written.</summary>
    public static async Task CheckNoneEvictedAsync(TargetServer server, TargetMemory before, CancellationToken cancellationToken)
    {
        var after = await TargetMemory.ReadAsync(server, cancellationToken);
        // A CONFIG RESETSTAT meanwhile sets the count back; what was evicted before it cannot be told then.
        if (before.EvictedKeys is not { } was || after.EvictedKeys is not { } now || now <= was)
            return;
        throw new LifeboatException(
            $"{server.Target.Name} evicted {N(now - was)} keys while the restore wrote into it ({Limit(after)}): restored keys may be among them, so it does not hold the backup",
            "the target holds part of the backup now: raise its maxmemory (or set maxmemory-policy noeviction), empty it and restore again")
        {
            Remedy = new(RemedyAction.RestoreAgainOverPartialRestore),
        };
    }

    private static string Limit(TargetMemory memory) =>
        $"maxmemory {(memory.MaxMemory > 0 ? ByteCount.Format(memory.MaxMemory) : "0, no limit")}, maxmemory-policy {memory.Policy ?? "unknown"}";

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
