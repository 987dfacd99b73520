using System.CommandLine;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>lifeboat restore pitr: the plan's §4.2 done right — a base backup plus archived WAL, to a moment.</summary>
internal static class PostgresPitrRestoreCommand
{
    public static Command Create()
    {
        var name = CommonOptions.SourceName("postgres");
        var dataDir = new Option<string>("--data-dir") { Description = "Where to lay out the recovered cluster (empty, or replaced with --force)", Required = true };
        var targets = new PitrTargetOptions();
        var backup = new Option<string?>("--backup") { Description = "The base backup to start from (id, a unique prefix, or a unique prefix of its last 8 characters); by default the newest that ends before the target" };
        var force = CommonOptions.Flag("--force", "Replace what is in the data directory and in relocated tablespaces' directories (a tablespace restored where it was is never emptied)");
        var archiveMode = new Option<string>("--archive-mode") { Description = "preserve: the recovered server archives as production does; off: it does not (a scratch copy must not archive into production's archive)", DefaultValueFactory = _ => "off" };
        archiveMode.AcceptOnlyFromAmong("preserve", "off");
        var tablespaceMap = TablespaceMapOption.Create();
        var owner = new Option<string?>("--owner") { Description = "The OS user the restored files belong to, the one the server will run as, when lifeboat runs as root (default: the owner of the data directory's parent unless that is root, else 'postgres')" };
        var command = new Command("pitr", "Lay out a data directory that recovers the cluster to a moment, from the newest base backup before it and the archived WAL; everything is checked before anything is written");
        foreach (var option in new Option[] { name, dataDir }.Concat(targets.All).Append(backup).Concat([force, archiveMode, tablespaceMap, owner]))
            command.Options.Add(option);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            var target = targets.Read(parse);
            var map = TablespaceMapOption.Parse(parse.GetValue(tablespaceMap));
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = SourcePicker.Pick<PostgresSettings>(session.Settings, PostgresSection.Declaration, parse.GetValue(name));
            await session.LockAsync(LockScope.Source(PostgresDumpBackup.SourceType, source.Name), "restore pitr");
            var directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(parse.GetValue(dataDir)!));
            var destination = new RestoreDestination(directory, parse.GetValue(force), map, DataDirectoryOwner.Choose(parse.GetValue(owner), directory));
            var restoreCommand = RestoreCommandLine.For(ConfigPathOf(options), source.Name);
            var result = await session.RunAsync(work => Reporting.RunAsync(options, reporter =>
                new PitrRestore(session.Repository, reporter).RunAsync(source.Name, target, parse.GetValue(backup), destination, restoreCommand, parse.GetValue(archiveMode) == "off", work)));
            if (!options.Quiet)
            {
                Console.WriteLine($"laid out base backup {result.Backup.Id} in {result.DataDirectory}, recovering to {target} on timeline {result.Timeline}");
                Console.WriteLine($"the files belong to {destination.Owner.User.Name} ({destination.Owner.Reason})");
                Console.WriteLine($"archived WAL reaches {result.LastSegment}{(result.LastCommit is { } c ? $", last commit {c.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "")}");
                Console.WriteLine($"start it as the server's OS user: pg_ctl -D {result.DataDirectory} -o '-p <free port>' start   (it fetches WAL with lifeboat wal-fetch, then {AtTarget(target)})");
            }

            return CommandRunner.Ok;
        });
        return command;
    }

    private static string AtTarget(PitrTarget target) => target.Latest ? "promotes" : target.Action switch
    {
        PitrTargetAction.Pause => "pauses at the target (read-only; pg_wal_replay_resume() promotes it)",
        PitrTargetAction.Shutdown => "shuts down at the target",
        _ => "promotes",
    };

    // The recovered server fetches WAL with this very executable and configuration.
    private static string ConfigPathOf(GlobalOptions options) =>
        Path.GetFullPath(options.ConfigPath ?? Environment.GetEnvironmentVariable("LIFEBOAT_CONFIG") ?? "lifeboat.yaml");
}
