namespace Lifeboat.Postgres.Wal;

/// <summary>Where a base backup lies in the WAL: its start (the checkpoint's redo point) and its stop, each with its timeline.</summary>
/// <param name="Timeline">The timeline it started on.</param>
/// <param name="Start">Where recovery from it begins reading WAL.</param>
/// <param name="StopTimeline">The timeline it stopped on: another one only when a standby it was taken from was promoted meanwhile.</param>
/// <param name="Stop">Where it becomes consistent.</param>
public sealed record BackupWal(uint Timeline, WalPosition Start, uint StopTimeline, WalPosition Stop)
{
    /// <summary>The running number of the first segment recovery from it reads.</summary>
    public ulong FirstSegment(long segmentSize) => Start.Value / (ulong)segmentSize;

    /// <summary>The running number of the last segment it needs to become consistent.</summary>
    public ulong LastSegment(long segmentSize) => (Stop.Value - 1) / (ulong)segmentSize;
}
