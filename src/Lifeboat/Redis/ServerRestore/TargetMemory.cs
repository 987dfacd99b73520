namespace Lifeboat.Redis.ServerRestore;

/// <summary>The target's memory as INFO memory and INFO stats give it: what it uses, its limit, what it does at the limit, and how many keys it evicted so far.</summary>
/// <param name="UsedMemory">used_memory in bytes.</param>
/// <param name="MaxMemory">maxmemory in bytes; 0 for no limit.</param>
/// <param name="Policy">maxmemory_policy ("noeviction", "volatile-lru", …); null when INFO does not say.</param>
/// <param name="EvictedKeys">evicted_keys since the server started (or its stats were reset); null when INFO does not say.</param>
internal sealed record TargetMemory(long UsedMemory, long MaxMemory, string? Policy, long? EvictedKeys)
{
    private const string NoEviction = "noeviction";

    /// <summary>True when the target deletes keys to stay within a limit: maxmemory set and a policy other than noeviction.</summary>
    public bool Evicts => MaxMemory > 0 && Policy is not null and not NoEviction;

    /// <summary>Reads INFO memory and INFO stats (two sections, as a Redis before 7 answers one at a time).</summary>
    public static async Task<TargetMemory> ReadAsync(TargetServer server, CancellationToken cancellationToken)
    {
        var memory = await server.InfoAsync("memory", cancellationToken);
        var stats = await server.InfoAsync("stats", cancellationToken);
        return new TargetMemory(memory.UsedMemory ?? 0, memory.Number("maxmemory") ?? 0, memory.Text("maxmemory_policy"), stats.Number("evicted_keys"));
    }
}
