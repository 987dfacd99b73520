using Lifeboat.Buckets.Mirror;
using Lifeboat.Cli.Output;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>What 'mirror' prints: copied, metadata fixed, skipped unchanged, removed (or refused), gone, failed ("would …" for a dry run).</summary>
internal static class MirrorOutput
{
    /// <summary>Prints <paramref name="report"/> as text or JSON.</summary>
    public static void Print(MirrorReport report, GlobalOptions options)
    {
        if (options.Json)
        {
            var failures = report.Failures.Select(f => new BucketRestoreFailure(f.Key, f.Error.Message)).ToList();
            CliJson.Print(
                new MirrorSummary(
                    report.Source, report.Target, report.DryRun, report.Copied, report.CopiedBytes, report.MetadataFixed, report.SkippedUnchanged,
                    report.Removed, report.ExtraKept, report.RemovalsRefused, report.RemovalRefusal?.Message, report.Gone, report.Failed, failures),
                MirrorCliJson.Default.MirrorSummary);
            return;
        }

        if (options.Quiet)
            return;
        var would = report.DryRun;
        Console.WriteLine($"{(would ? "dry run: " : "")}mirror of {report.Source} into {report.Target}");
        Console.WriteLine($"  {(would ? "would copy" : "copied")} {report.Copied:N0} objects ({ByteSize.Format(report.CopiedBytes)})");
        Console.WriteLine($"  {(would ? "would fix" : "fixed")} the metadata of {report.MetadataFixed:N0}");
        Console.WriteLine($"  {(would ? "would skip" : "skipped")} {report.SkippedUnchanged:N0} unchanged");
        var kept = report.ExtraKept > 0 ? $" ({report.ExtraKept:N0} the source no longer has left in place; --remove removes them)" : "";
        var refused = report.RemovalRefusal is null ? "" : $" (refused to remove {report.RemovalsRefused:N0}: see the error below)";
        Console.WriteLine($"  {(would ? "would remove" : "removed")} {report.Removed:N0}{kept}{refused}");
        if (report.Gone > 0)
            Console.WriteLine($"  gone {report.Gone:N0} (deleted at the source after its listing)");
        Console.WriteLine($"  failed {report.Failed:N0}");
    }

    /// <summary>
    /// Fails the command once the summary is out: with the refusal (exit 2) when removals were refused, else (exit 1)
    /// when objects were not copied or not removed, naming the first (each failure was named as it happened).
    /// </summary>
    public static void ThrowIfFailed(MirrorReport report)
    {
        if (report.RemovalRefusal is { } refusal)
            throw refusal;
        FailedObjects.ThrowIfAny(report.Failed, report.Failures, "copied");
    }
}
