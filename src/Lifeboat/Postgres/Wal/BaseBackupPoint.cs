using Lifeboat.Repository;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// A base backup as the archive's checks see it: which it is, the earliest moment it recovers to (when it finished:
/// its WAL up to the stop position is archived by then) and the WAL it needs to become consistent.
/// </summary>
/// <param name="Id">The backup's id.</param>
/// <param name="FinishedAt">When it finished: no recovery target before this is reachable from it.</param>
/// <param name="Info">What it recorded: its timeline, start and stop.</param>
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
            return WalFileName.TryParse(info.FirstSegment) is null || WalFileName.TryParse(info.LastSegment) is null
                ? null
                : new BaseBackupPoint(manifest.Id, manifest.FinishedAt, info);
        }
        catch (DamagedRecordException)
        {
            return null;
        }
    }

    /// <summary>The timeline it was taken on.</summary>
    public uint Timeline => Info.Timeline;

    /// <summary>The running number of the first segment recovery from it reads.</summary>
    public ulong FirstNumber => WalFileName.TryParse(Info.FirstSegment)!.Number(Info.SegmentSize);

    /// <summary>The running number of the last segment it needs to become consistent.</summary>
    public ulong LastNumber => WalFileName.TryParse(Info.LastSegment)!.Number(Info.SegmentSize);

    /// <summary>Where its checkpoint (the start of its WAL) lies.</summary>
    public WalPosition Start => WalPosition.TryParse(Info.StartPosition) ?? default;

    /// <summary>Where it becomes consistent.</summary>
    public WalPosition Stop => WalPosition.TryParse(Info.StopPosition) ?? default;
}
