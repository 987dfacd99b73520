using System.CommandLine;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Redis;
using Lifeboat.Redis.ServerRestore;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>
/// lifeboat restore redis: a snapshot written back as an RDB file or as the append-only directory a server with
/// appendonly yes loads (--to), or replayed into a running server (--to-server).
/// </summary>
internal static class RedisRestoreCommand
{
    public static Command Create()
    {
        var name = CommonOptions.SourceName("redis");
        var backup = new Option<string>("--backup") { Description = "Backup id (whole, a unique prefix, or a unique prefix of its last 8 characters), or 'latest'", DefaultValueFactory = _ => "latest" };
        var to = new Option<string?>("--to") { Description = "The RDB file to write (e.g. /data/dump.rdb); with --aof, the append-only directory (e.g. /data/appendonlydir)" };
        var aof = CommonOptions.Flag("--aof", "With --to: lay the RDB out as Redis 7's append-only directory (appendonly.aof.1.base.rdb and its manifest), for a server with appendonly yes");
        var force = CommonOptions.Flag("--force", "With --to: replace an existing file or directory (after the RDB has been written and verified beside it); with --to-server: write into databases that already hold keys");
        var server = new RedisServerTargetOptions();
        var command = new Command("redis", "Write a Redis snapshot, verified (header, CRC64), to a file a server starts from, or restore it into a running server");
        foreach (var option in new Option[] { name, backup, to, aof, force }.Concat(server.All))
            command.Options.Add(option);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            var toServer = server.IsGiven(parse);
            if (toServer == parse.GetValue(to) is not null)
                throw new LifeboatException("give exactly one of --to FILE and --to-server HOST:PORT", kind: FailureKind.Usage);
            if (!toServer)
                server.RefuseWithoutServer(parse);
            else if (parse.GetValue(aof))
                throw new LifeboatException("--aof applies to a restore to a file (--to) only", kind: FailureKind.Usage);
            var serverTarget = toServer ? server.Read(parse) : null;

            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            // The source's own password is not needed: the backups are found by its name alone.
            var source = SourcePicker.Pick<RedisSettings>(session.Settings, RedisSection.Declaration, parse.GetValue(name));
            // A prune of the chosen backup waits until it is restored.
            await session.LockAsync(LockScope.Source(RedisBackup.SourceType, source.Name), "restore redis");
            if (serverTarget is not null)
            {
                var restoreOptions = serverTarget.Options(source.Databases, parse.GetValue(force));
                await ToServerAsync(session, source.Name, parse.GetValue(backup)!, serverTarget.Address, restoreOptions, options);
                return CommandRunner.Ok;
            }

            var result = await session.RunAsync(async work =>
            {
                var manifest = await FindAsync(session, source.Name, parse.GetValue(backup)!, work);
                return await Reporting.RunAsync(options, reporter =>
                {
                    var restore = new RedisFileRestore(session.Repository, reporter);
                    return parse.GetValue(aof)
                        ? restore.ToAofDirectoryAsync(manifest, parse.GetValue(to)!, parse.GetValue(force), work)
                        : restore.ToFileAsync(manifest, parse.GetValue(to)!, parse.GetValue(force), work);
                });
            });
            Print(result, options);
            return CommandRunner.Ok;
        });
        return command;
    }

    private static async Task ToServerAsync(
        RepositorySession session, string sourceName, string backup, RestoreTargetAddress address, ServerRestoreOptions restoreOptions, GlobalOptions options)
    {
        var (manifest, result) = await session.RunAsync(async work =>
        {
            var manifest = await FindAsync(session, sourceName, backup, work);
            var target = await RestoreTargetConnection.ConnectAsync(address, work);
            await using var connection = target.Connection;
            var result = await Reporting.RunAsync(options, reporter => new RedisServerRestore(session.Repository, reporter).RunAsync(manifest, target, restoreOptions, work));
            return (manifest, result);
        });
        RedisServerRestoreOutput.Print(manifest.Id, address, result, countsChecked: RedisSnapshotInfo.Of(manifest).RdbKeyspace is not null, options);
    }

    private static Task<BackupManifest> FindAsync(RepositorySession session, string sourceName, string backup, CancellationToken cancellationToken) =>
        session.Repository.FindBackupAsync(RedisBackup.SourceType, sourceName, backup, cancellationToken, RedisBackup.Kind);

    // A server refuses at start an RDB newer than it writes, and then starts no further: say which release it takes.
    private static string LoadedBy(int rdbVersion) => RedisRdbVersion.OldestRedisThatLoads(rdbVersion) is { } oldest
        ? $"It is RDB version {rdbVersion}: only Redis {oldest} or newer loads it (an older server refuses it and does not start)."
        : $"It is RDB version {rdbVersion}, newer than this Lifeboat knows: only a Redis as new as the one that wrote it loads it.";

    private static void Print(RedisFileRestoreResult result, GlobalOptions options)
    {
        if (options.Json)
        {
            CliJson.Print(new RedisRestoreSummary(result.BackupId, result.RdbFile, result.Bytes, result.AofDirectory), RedisCliJson.Default.RedisRestoreSummary);
            return;
        }

        if (options.Quiet)
            return;
        if (result.AofDirectory is not { } directory)
        {
            Console.WriteLine($"restored backup {result.BackupId} to {result.RdbFile} ({ByteSize.Format(result.Bytes)}, CRC64 verified)");
            Console.WriteLine("A server with appendonly no loads it at start when it is its dir/dbfilename; with appendonly yes it ignores it and starts empty: restore with --aof, or into the running server with --to-server.");
            Console.WriteLine(LoadedBy(result.RdbVersion));
            return;
        }

        Console.WriteLine($"restored backup {result.BackupId} as the append-only directory {directory} ({ByteSize.Format(result.Bytes)} base RDB, CRC64 verified)");
        Console.WriteLine(LoadedBy(result.RdbVersion));
        Console.WriteLine($"""
            To bring it into the plan's Kubernetes deployment (k8s/redis.yaml, appendonly yes):
              1. Scale Redis to zero so nothing writes its volume: kubectl -n devplatform scale deploy/redis --replicas=0
              2. The data volume must be a PersistentVolumeClaim: an emptyDir is wiped with the pod and the restore with it.
              3. Copy the directory onto the volume as Redis's dir/appenddirname (default /data/{AofLayout.DefaultDirectoryName}),
                 replacing the one there, e.g. from a helper pod that mounts the claim: kubectl cp {directory} devplatform/HELPER:/data/{AofLayout.DefaultDirectoryName}
              4. Scale Redis back to one and check the keys: kubectl -n devplatform scale deploy/redis --replicas=1; redis-cli INFO keyspace
            The files are named for appendfilename "{AofLayout.DefaultAppendFileName}"; a server with another appendfilename needs them renamed.
            Without touching the pod's filesystem: restore into the running server with --to-server HOST:PORT instead.
            """);
    }
}
