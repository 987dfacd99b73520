using System.CommandLine;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Mirror;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>
/// lifeboat mirror: a plain copy of a configured bucket's current objects in another bucket, for an application to fail
/// over to; incremental, and safe with --remove. It reads the configuration only: the repository is not needed.
/// </summary>
internal static class BucketsMirrorCommand
{
    public static Command Create()
    {
        var name = CommonOptions.SourceName(BucketSnapshotInfo.SourceType);
        var prefix = new Option<string?>("--prefix") { Description = "Mirror only keys starting with this (within buckets[].prefix); the target is listed, and objects removed, only under it" };
        var remove = CommonOptions.Flag(
            "--remove",
            "Remove objects from the target that the source no longer has; refused when that is more than buckets[].mirrorRemoveLimitPercent of the target (default 10), or when the source lists nothing");
        var force = CommonOptions.Flag("--force", "With --remove: remove even beyond buckets[].mirrorRemoveLimitPercent, or when the source lists nothing");
        var dryRun = CommonOptions.Flag("--dry-run", "Say what would be copied, fixed, skipped and removed, and write nothing");
        var target = new TargetEndpointOptions(bucketRequired: true);
        var command = new Command(
            "mirror",
            "Copy a bucket's current objects (content, headers, metadata, tags, storage class) into another bucket, plain and unencrypted, copying only what changed; a failover copy, not a backup: it keeps no history");
        foreach (var option in new Option[] { name, prefix, remove, force, dryRun }.Concat(target.All))
            command.Options.Add(option);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            if (parse.GetValue(prefix) is { Length: 0 })
                throw new LifeboatException("--prefix needs a value", kind: FailureKind.Usage);
            if (parse.GetValue(force) && !parse.GetValue(remove))
                throw new LifeboatException("--force applies to --remove only: a mirror without removals has nothing to force", kind: FailureKind.Usage);
            var settings = SettingsLoader.Load(options.ConfigPath);
            var chosen = SourcePicker.Pick<BucketSettings>(settings, BucketsSection.Declaration, parse.GetValue(name));
            var request = new BucketMirrorRequest
            {
                Source = BucketsSourceKind.ToSource(chosen),
                Target = target.Read(parse, chosen),
                Prefix = parse.GetValue(prefix),
                Remove = parse.GetValue(remove),
                Force = parse.GetValue(force),
                DryRun = parse.GetValue(dryRun),
                RemoveLimitPercent = chosen.MirrorRemoveLimitPercent,
            };
            var report = await Reporting.RunAsync(options, reporter => new BucketMirror(reporter).RunAsync(request, cancellationToken));
            MirrorOutput.Print(report, options);
            MirrorOutput.ThrowIfFailed(report);
            return CommandRunner.Ok;
        }, afterInterruption: "objects already copied stay; the next run copies the rest");
        return command;
    }
}
