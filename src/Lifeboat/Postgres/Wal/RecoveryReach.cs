namespace Lifeboat.Postgres.Wal;

/// <summary>How far the archive carries recovery along a <see cref="RecoveryPath"/> without a gap.</summary>
/// <param name="Last">The last segment read without a gap from the path's first, or null when the first is missing.</param>
/// <param name="FirstMissing">The first segment of the path the archive lacks: where recovery ends.</param>
/// <param name="ArchivedAfterGap">The first segment of the path archived after <paramref name="FirstMissing"/>, or null: then the
/// missing one is merely not archived yet, else WAL is lost and recovery would end early at the gap.</param>
public sealed record RecoveryReach(WalFileName? Last, WalFileName FirstMissing, WalFileName? ArchivedAfterGap)
{
    /// <summary>True when WAL after the end of the reach is archived: the missing segment is a hole, not the archive's end.</summary>
    public bool EndsAtGap => ArchivedAfterGap is not null;
}
