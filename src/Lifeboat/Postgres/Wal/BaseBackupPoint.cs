using Lifeboat.Repository;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// A base backup as the archive's checks see it: which it is, the earliest moment it recovers to (when it finished:
/// its WAL up to the stop position is archived by then) and the WAL it needs to become consistent.
/// </summary>
/// <param name="Id">The backup's id.</param>
/// <param name="FinishedAt">
/// When it finished, by the server's clock when it recorded it (commit times are written by that clock, and restore
/// compares a target time with it), else by Lifeboat's: no recovery target before this is reachable from it.
/// </param>
/// <param name="Info">What it recorded: its timelines, start and stop.</param>
public sealed record BaseBackupPoint(string Id, DateTimeOffset FinishedAt, BaseBackupInfo Info)
{
    /// <summary>The base backups among <paramref name="manifests"/>, oldest first; one whose details do not read is left out (the check of manifests names it).</summary>
    public static IReadOnlyList<BaseBackupPoint> Of(IEnumerable<BackupManifest> manifests) =>
    [
        .. manifests
            .Where(m => m.Source == PostgresDumpBackup.SourceType && m.Kind == PostgresBaseBackup.Kind)
            .Select(TryOf)
            .OfType<BaseBackupPoint>()
            .OrderBy(b => b.FinishedAt),
    ];

    private static BaseBackupPoint? TryOf(BackupManifest manifest)
    {
        try
        {
            var info = BaseBackupInfo.Of(manifest);
            return Placed(info) ? new BaseBackupPoint(manifest.Id, info.StopClock ?? manifest.FinishedAt, info) : null;
        }
        catch (DamagedRecordException)
        {
            return null;
        }
    }

    // A backup whose segment names or positions do not parse cannot be placed in the WAL.
    private static bool Placed(BaseBackupInfo info) =>
        WalFileName.TryParse(info.FirstSegment) is not null && WalFileName.TryParse(info.LastSegment) is not null
        && WalPosition.TryParse(info.StartPosition) is not null && WalPosition.TryParse(info.StopPosition) is not null;

    /// <summary>The timeline it was taken on.</summary>
    public uint Timeline => Info.Timeline;

    /// <summary>Where it lies in the WAL: its start and its stop, each with its timeline (a standby promoted meanwhile stops on the next).</summary>
    public BackupWal Wal => Info.Wal();

    /// <summary>The running number of the first segment recovery from it reads.</summary>
    public ulong FirstNumber => WalFileName.TryParse(Info.FirstSegment)!.Number(Info.SegmentSize);

    /// <summary>The running number of the last segment it needs to become consistent.</summary>
    public ulong LastNumber => WalFileName.TryParse(Info.LastSegment)!.Number(Info.SegmentSize);
}
