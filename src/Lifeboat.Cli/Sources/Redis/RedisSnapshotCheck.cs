using Lifeboat.Redis;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>
/// What 'check --read-data' verifies of Redis snapshots beyond their objects' hashes: each RDB read back whole through
/// the same check a backup and a restore make (header, end marker, CRC64), so a snapshot that checks out here restores.
/// </summary>
internal static class RedisSnapshotCheck
{
    /// <summary>One result per Redis source with snapshots; nothing without --read-data.</summary>
    public static async Task<IReadOnlyList<SourceCheckResult>> RunAsync(SourceCheckRequest request, CancellationToken cancellationToken)
    {
        if (request.ReadDataPercent == 0)
            return [];
        var manifests = await request.Repository.ListBackupsAsync(RedisBackup.SourceType, null, null, cancellationToken);
        var results = new List<SourceCheckResult>();
        foreach (var group in manifests.Where(m => m.Kind == RedisBackup.Kind).GroupBy(m => m.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            results.Add(await CheckAsync(request, group.Key, Sample([.. group], request.ReadDataPercent), cancellationToken));
        return results;
    }

    private static async Task<SourceCheckResult> CheckAsync(SourceCheckRequest request, string name, IReadOnlyList<BackupManifest> snapshots, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        request.Reporter.Event($"check: reading {snapshots.Count} RDB(s) of redis/{name} through the RDB check");
        foreach (var manifest in snapshots)
        {
            try
            {
                await using var input = await request.Repository.OpenObjectAsync(manifest.Objects.Single(o => o.Role == RedisBackup.RdbRole), cancellationToken);
                await RdbCheckingStream.VerifyAsync(input, $"the RDB of backup {manifest.Id}", "restore from another backup", cancellationToken);
            }
            catch (LifeboatException e)
            {
                problems.Add($"redis/{name} {e.Message}");
            }
            catch (InvalidOperationException)
            {
                problems.Add($"redis/{name} backup {manifest.Id} does not list exactly one RDB object");
            }
        }

        IReadOnlyList<string> passed = problems.Count == 0 ? [$"redis/{name}: {snapshots.Count} RDB(s) read back: header, end marker and CRC64 check out"] : [];
        return new SourceCheckResult(RedisBackup.SourceType, name, passed, problems, snapshots.Count);
    }

    // The newest first: a partial read covers what a restore would take.
    private static List<BackupManifest> Sample(List<BackupManifest> snapshots, int percent)
    {
        var count = (int)Math.Ceiling(snapshots.Count * percent / 100.0);
        return [.. snapshots.OrderByDescending(m => m.StartedAt).Take(count)];
    }
}
