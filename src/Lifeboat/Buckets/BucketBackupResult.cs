using Lifeboat.Buckets.Index;
using Lifeboat.Repository;

namespace Lifeboat.Buckets;

/// <summary>What a bucket backup committed, and what its merge and seal counted.</summary>
/// <param name="Manifest">The committed manifest.</param>
/// <param name="Info">Its details.</param>
/// <param name="Merge">What the listing merge decided: unchanged, read, carried, reused.</param>
/// <param name="Seal">What sealing the index found and uploaded.</param>
public sealed record BucketBackupResult(BackupManifest Manifest, BucketSnapshotInfo Info, MergeCounts Merge, IndexSealCounts Seal);
