using System.CommandLine;
using Lifeboat.Buckets;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Output;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>lifeboat backup buckets: a snapshot of a source bucket, storing only what changed since the last one.</summary>
internal static class BucketsBackupCommand
{
    /// <summary>The command that names the work in locks; one live run of it per source.</summary>
    public const string LockCommand = "backup buckets";

    public static Command Create()
    {
        var name = CommonOptions.SourceName(BucketSnapshotInfo.SourceType);
        var command = new Command(
            BucketSnapshotInfo.SourceType,
            "Take a snapshot of an S3 bucket: every object and version it holds, only new content stored (by SHA-256, deduplicated), with zstd and AES-256-GCM");
        command.Options.Add(name);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = BucketsSourceKind.Pick(session.Settings, parse.GetValue(name));
            await session.LockAsync(LockScope.Source(BucketSnapshotInfo.SourceType, source.Name), LockCommand);
            var result = await session.RunAsync(work => Reporting.RunAsync(options, reporter =>
                new BucketBackup(session.Repository, reporter).RunAsync(source, session.HeldLock, work)));
            var manifest = result.Manifest;
            if (options.Json)
            {
                CliJson.Print(BackupSummary.Of(manifest, SourceKinds.SummaryFields(manifest)), CliJson.Default.BackupSummary);
            }
            else if (!options.Quiet)
            {
                var info = result.Info;
                Console.WriteLine(
                    $"backup {manifest.Id}: buckets/{manifest.Name} (s3://{info.Bucket}/{info.Prefix}, {(info.Versioned ? "versioned" : "unversioned")}), "
                    + $"{info.Objects:N0} objects, {ByteSize.Format(info.Bytes)}, {result.Merge.Reads:N0} read, {ByteSize.Format(info.NewBytesStored)} new stored, "
                    + $"{(manifest.FinishedAt - manifest.StartedAt).TotalSeconds:0.0} s");
            }

            return CommandRunner.Ok;
        }, afterInterruption: "no snapshot was recorded; the next backup reuses what this one stored");
        return command;
    }
}
