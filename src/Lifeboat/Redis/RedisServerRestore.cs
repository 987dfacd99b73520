using Lifeboat.Redis.ServerRestore;
using Lifeboat.Repository;

namespace Lifeboat.Redis;

/// <summary>
/// Restores a Redis snapshot from the repository into a running Redis: the stored RDB is read twice, once to verify
/// it whole (and the target) before anything is written, its keys per database checked against those counted when it
/// was stored, then to replay it as RESTORE commands.
/// </summary>
public sealed class RedisServerRestore(BackupRepository repository, IActivityReporter reporter)
{
    /// <summary>Restores <paramref name="manifest"/>'s RDB into <paramref name="target"/> as <paramref name="options"/> choose.</summary>
    public async Task<ServerRestoreResult> RunAsync(BackupManifest manifest, RestoreTarget target, ServerRestoreOptions options, CancellationToken cancellationToken)
    {
        var info = RedisSnapshotInfo.Of(manifest);
        var stored = manifest.Objects.FirstOrDefault(o => o.Role == RedisBackup.RdbRole)
            ?? throw new DamagedRecordException($"the manifest of backup {manifest.Id} ({manifest.Source}/{manifest.Name}) lists no RDB object") { Remedy = new(RemedyAction.CheckRepository) };
        var result = await RdbServerRestore.RunAsync(
            work => repository.OpenObjectAsync(stored, work),
            $"the RDB of backup {manifest.Id}",
            target,
            options with { RdbBytes = info.RdbBytes, RecordedKeyspace = info.RdbKeyspace, SourceUsedMemory = info.UsedMemory },
            reporter,
            cancellationToken);
        reporter.Event($"restore: backup {manifest.Id} restored into {target.Name}: {result.KeysRestored} keys, {result.FunctionLibraries.Count} function libraries");
        return result;
    }
}
