namespace Lifeboat.Redis.ServerRestore;

/// <summary>Which keys a restore into a running Redis writes, and what it may overwrite.</summary>
public sealed record ServerRestoreOptions
{
    /// <summary>Only keys of these databases; null for all.</summary>
    public IReadOnlySet<int>? Databases { get; init; }

    /// <summary>Only keys matching this Redis glob; null for all.</summary>
    public string? KeyPattern { get; init; }

    /// <summary>Leave the RDB's function libraries out (a partial restore the operator chose is no place to replace code); the result counts them.</summary>
    public bool SkipFunctionLibraries { get; init; }

    /// <summary>Overwrite keys and function libraries the target already has; without it any such collision stops the restore before it writes.</summary>
    public bool Replace { get; init; }

    /// <summary>Write into databases that already hold keys; without it the restore refuses them before it writes.</summary>
    public bool AllowNonEmptyTarget { get; init; }

    /// <summary>
    /// Each database's keys (and keys with an expiry) as counted in the RDB when it was stored; the verification pass
    /// refuses an RDB that holds other counts. Null to check against the counts the RDB declares alone.
    /// </summary>
    public IReadOnlyList<RedisKeyspace>? RecordedKeyspace { get; init; }

    /// <summary>
    /// used_memory of the server the backup was taken from: what a target that evicts keys must have room for (in the
    /// share of the RDB the restore writes) before anything is written; null when unknown, and nothing is refused then.
    /// </summary>
    public long? SourceUsedMemory { get; init; }

    /// <summary>Write into a target that evicts keys even when <see cref="SourceUsedMemory"/> says they would not fit; keys it evicts during the restore still fail it.</summary>
    public bool IgnoreMemoryEstimate { get; init; }

    /// <summary>The RDB's size when known, for progress.</summary>
    public long? RdbBytes { get; init; }

    /// <summary>The most commands sent and not yet answered.</summary>
    public int MaxCommandsInFlight { get; init; } = 20_000;

    /// <summary>The most payload bytes sent and not yet answered.</summary>
    public long MaxBytesInFlight { get; init; } = 64L << 20;

    /// <summary>The clock that decides which keys have expired by the time they would be restored.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
