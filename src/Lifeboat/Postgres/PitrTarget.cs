using System.Globalization;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Postgres;

/// <summary>
/// Where recovery should stop: at most one of a time, a WAL position, a transaction or a named restore point (none: the
/// end of the archive), with how it stops there and along which timeline.
/// </summary>
public sealed record PitrTarget
{
    /// <summary>recovery_target_time, or null.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>recovery_target_lsn, or null.</summary>
    public WalPosition? Position { get; init; }

    /// <summary>recovery_target_xid, or null: as given (PostgreSQL compares its low 32 bits).</summary>
    public ulong? TransactionId { get; init; }

    /// <summary>recovery_target_name: a restore point made with pg_create_restore_point, or null.</summary>
    public string? RestorePoint { get; init; }

    /// <summary>False to stop just before the target (recovery_target_inclusive = off), not just after it.</summary>
    public bool Inclusive { get; init; } = true;

    /// <summary>What the server does at the target.</summary>
    public PitrTargetAction Action { get; init; } = PitrTargetAction.Promote;

    /// <summary>The timeline to recover along, or null for the newest one the archive leads to from the base backup.</summary>
    public uint? Timeline { get; init; }

    /// <summary>Recovery to the end of the archived WAL.</summary>
    public bool Latest => Time is null && Position is null && TransactionId is null && RestorePoint is null;

    /// <summary>The transaction's 32 bits, which recovery compares, or null.</summary>
    public uint? Xid => TransactionId is { } xid ? unchecked((uint)xid) : null;

    /// <summary>The recovery settings that name this target, as (name, value) pairs in the order PostgreSQL documents them.</summary>
    public IEnumerable<(string Name, string Value)> RecoverySettings()
    {
        if (Time is { } time)
            yield return ("recovery_target_time", Moment(time) + "+00");
        if (Position is { } position)
            yield return ("recovery_target_lsn", position.ToString());
        if (TransactionId is { } xid)
            yield return ("recovery_target_xid", xid.ToString(CultureInfo.InvariantCulture));
        if (RestorePoint is { } name)
            yield return ("recovery_target_name", name);
        if (!Inclusive)
            yield return ("recovery_target_inclusive", "off");
        // PostgreSQL ignores the action when recovery runs to the end of the WAL.
        if (!Latest)
            yield return ("recovery_target_action", Action.ToString().ToLowerInvariant());
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var what = this switch
        {
            { Time: { } time } => $"time {Moment(time)} UTC",
            { Position: { } position } => $"position {position}",
            { TransactionId: { } xid } => $"transaction {xid}",
            { RestorePoint: { } name } => $"restore point '{name}'",
            _ => "the end of the archive",
        };
        return Inclusive ? what : what + " (exclusive)";
    }

    private static string Moment(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
