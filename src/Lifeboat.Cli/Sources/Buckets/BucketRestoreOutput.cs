using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Restore;
using Lifeboat.Cli.Output;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>What 'restore buckets' prints: restored, skipped unchanged, metadata fixed, removed, failed ("would …" for a dry run).</summary>
internal static class BucketRestoreOutput
{
    /// <summary>Prints <paramref name="report"/> as text or JSON.</summary>
    public static void Print(RestoreReport report, GlobalOptions options)
    {
        if (options.Json)
        {
            var failures = report.Failures.Select(f => new BucketRestoreFailure(f.Key, f.Error.Message)).ToList();
            CliJson.Print(
                new BucketRestoreSummary(
                    report.SnapshotId, report.AsOf, report.Target, report.DryRun, report.Restored, report.RestoredBytes, report.SkippedUnchanged,
                    report.MetadataFixed, report.Removed, report.ExtraKept, report.Failed, failures),
                BucketRestoreCliJson.Default.BucketRestoreSummary);
            return;
        }

        if (options.Quiet)
            return;
        var would = report.DryRun;
        var moment = report.AsOf is { } asOf ? $" as of {IndexTime.ToText(asOf)}" : "";
        Console.WriteLine($"{(would ? "dry run: " : "")}restore of snapshot {report.SnapshotId}{moment} into {report.Target}");
        Console.WriteLine($"  {(would ? "would restore" : "restored")} {report.Restored:N0} objects ({ByteSize.Format(report.RestoredBytes)})");
        Console.WriteLine($"  {(would ? "would skip" : "skipped")} {report.SkippedUnchanged:N0} unchanged");
        Console.WriteLine($"  {(would ? "would fix" : "fixed")} the metadata of {report.MetadataFixed:N0}");
        var kept = report.ExtraKept > 0 ? $" ({report.ExtraKept:N0} the snapshot lacks left in place; --delete-extra removes them)" : "";
        Console.WriteLine($"  {(would ? "would remove" : "removed")} {report.Removed:N0}{kept}");
        Console.WriteLine($"  failed {report.Failed:N0}");
    }

    /// <summary>Fails the command (exit 1) when objects were not restored, naming the first and saying what to do about it.</summary>
    public static void ThrowIfFailed(RestoreReport report) => FailedObjects.ThrowIfAny(report.Failed, report.Failures, "restored");
}
