using System.Globalization;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Check;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>
/// What 'check' verifies of bucket snapshots beyond their manifests' objects (the index roots): the index segments,
/// the catalog and the packs; with --read-data, that share of the packs read whole and every blob verified.
/// </summary>
internal static class BucketsSnapshotCheck
{
    /// <summary>One result per bucket source with snapshots.</summary>
    public static async Task<IReadOnlyList<SourceCheckResult>> RunAsync(SourceCheckRequest request, CancellationToken cancellationToken)
    {
        var manifests = await request.Repository.ListBackupsAsync(BucketSnapshotInfo.SourceType, null, null, cancellationToken);
        var results = new List<SourceCheckResult>();
        foreach (var group in manifests.Where(m => m.Kind == BucketSnapshotInfo.Kind).GroupBy(m => m.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            results.Add(await CheckAsync(request, group.Key, [.. group], cancellationToken));
        return results;
    }

    private static async Task<SourceCheckResult> CheckAsync(
        SourceCheckRequest request, string name, IReadOnlyList<BackupManifest> snapshots, CancellationToken cancellationToken)
    {
        var prefix = $"{BucketSnapshotInfo.SourceType}/{name}";
        request.Reporter.Event($"check: {prefix}: {snapshots.Count} snapshot(s), their index and content{(request.ReadDataPercent > 0 ? $", reading {request.ReadDataPercent} % of the packs" : "")}");
        var report = await new BucketCheck(request.Repository, name).RunAsync(snapshots, request.ReadDataPercent / 100.0, cancellationToken);
        var problems = report.Problems.Select(p => $"{prefix} {p.Subject}: {p.Problem}").ToList();
        var content = report.Content;
        var passed = problems.Count > 0
            ? []
            : new List<string>
            {
                $"{prefix}: {Count(report.Snapshots)} snapshot(s), {Count(report.Roots)} index root(s) and {Count(report.Segments)} segment(s) in order, "
                    + $"{Count(report.Records)} record(s) whose contents are all in the catalog; {Count(content.Contents)} content(s) in {Count(content.Packs)} pack(s), every pack present",
            };
        if (problems.Count == 0 && content.PacksRead > 0)
            passed.Add($"{prefix}: {Count(content.PacksRead)} pack(s) read whole: every blob decrypts, hashes to its address and matches the pack's table");
        return new SourceCheckResult(BucketSnapshotInfo.SourceType, name, passed, problems, content.PacksRead);
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
