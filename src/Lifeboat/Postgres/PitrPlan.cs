using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;

namespace Lifeboat.Postgres;

/// <summary>What a point-in-time restore will do, decided and checked before anything is written.</summary>
/// <param name="Backup">The base backup it starts from.</param>
/// <param name="Info">That backup's details.</param>
/// <param name="Timeline">The timeline recovery follows (recovery_target_timeline).</param>
/// <param name="LastSegment">The last segment along that timeline's history the archive holds without a gap.</param>
/// <param name="LastCommit">The last archived commit time recovery can reach, when the archive recorded one.</param>
public sealed record PitrPlan(BackupManifest Backup, BaseBackupInfo Info, uint Timeline, WalFileName LastSegment, DateTimeOffset? LastCommit);
