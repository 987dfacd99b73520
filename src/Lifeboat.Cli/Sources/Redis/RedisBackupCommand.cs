using System.CommandLine;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Output;
using Lifeboat.Redis;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>lifeboat backup redis: the plan's 15-minute RDB snapshot, taken over the network as a replica takes it.</summary>
internal static class RedisBackupCommand
{
    public static Command Create()
    {
        var name = CommonOptions.SourceName("redis");
        var command = new Command("redis", "Take a Redis snapshot over the replication protocol (SYNC) and store the RDB, checked as it streams (header, CRC64), with zstd and AES-256-GCM");
        command.Options.Add(name);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = RedisSourceKind.Pick(session.Settings, parse.GetValue(name));
            await session.LockAsync(LockScope.Source(RedisBackup.SourceType, source.Name), "backup redis");
            var manifest = await session.RunAsync(work => Reporting.RunAsync(options, reporter =>
                new RedisBackup(session.Repository, reporter) { YieldToServer = true }.RunAsync(source, work)));
            var summary = BackupSummary.Of(manifest, SourceKinds.SummaryFields(manifest));
            if (options.Json)
            {
                CliJson.Print(summary, CliJson.Default.BackupSummary);
            }
            else if (!options.Quiet)
            {
                var info = RedisSnapshotInfo.Of(manifest);
                Console.WriteLine($"backup {manifest.Id}: redis/{manifest.Name} (Redis {info.RedisVersion}, {info.TotalKeys} keys, RDB version {info.RdbVersion}, CRC64 {(info.Crc64 is null ? "off" : "verified")}), {ByteSize.Format(manifest.SizeBytes)} RDB, {ByteSize.Format(manifest.StoredBytes)} stored, {(manifest.FinishedAt - manifest.StartedAt).TotalSeconds:0.0} s");
            }

            return CommandRunner.Ok;
        }, afterInterruption: "no backup was recorded");
        return command;
    }
}
