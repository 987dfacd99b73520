using System.CommandLine;
using System.Globalization;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>lifeboat restore pitr: the plan's §4.2 done right — a base backup plus archived WAL, to a moment.</summary>
internal static class PostgresPitrRestoreCommand
{
    public static Command Create()
    {
        var name = CommonOptions.SourceName("postgres");
        var dataDir = new Option<string>("--data-dir") { Description = "Where to lay out the recovered cluster (empty, or replaced with --force)", Required = true };
        var targetTime = new Option<string?>("--target-time") { Description = "Recover up to this moment (ISO 8601, e.g. 2026-12-03T10:42:35Z)" };
        var targetLsn = new Option<string?>("--target-lsn") { Description = "Recover up to this WAL position (e.g. 0/7FA920)" };
        var latest = CommonOptions.Flag("--latest", "Recover to the end of the archived WAL");
        var force = CommonOptions.Flag("--force", "Replace what is in the data directory and in relocated tablespaces' directories (a tablespace restored where it was is never emptied)");
        var archiveMode = new Option<string>("--archive-mode") { Description = "preserve: the recovered server archives as production does; off: it does not (a scratch copy must not archive into production's archive)", DefaultValueFactory = _ => "off" };
        archiveMode.AcceptOnlyFromAmong("preserve", "off");
        var tablespaceMap = TablespaceMapOption.Create();
        var owner = new Option<string?>("--owner") { Description = "The OS user the restored files belong to, the one the server will run as, when lifeboat runs as root (default: the owner of the data directory's parent unless that is root, else 'postgres')" };
        var command = new Command("pitr", "Lay out a data directory that recovers the cluster to a moment, from the newest base backup before it and the archived WAL; everything is checked before anything is written");
        foreach (var option in new Option[] { name, dataDir, targetTime, targetLsn, latest, force, archiveMode, tablespaceMap, owner })
            command.Options.Add(option);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            var target = TargetOf(parse.GetValue(targetTime), parse.GetValue(targetLsn), parse.GetValue(latest));
            var map = TablespaceMapOption.Parse(parse.GetValue(tablespaceMap));
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = SourcePicker.Pick<PostgresSettings>(session.Settings, PostgresSection.Declaration, parse.GetValue(name));
            await session.LockAsync(LockScope.Source(PostgresDumpBackup.SourceType, source.Name), "restore pitr");
            var directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(parse.GetValue(dataDir)!));
            var destination = new RestoreDestination(directory, parse.GetValue(force), map, DataDirectoryOwner.Choose(parse.GetValue(owner), directory));
            var restoreCommand = RestoreCommandLine.For(ConfigPathOf(options), source.Name);
            var result = await session.RunAsync(work => Reporting.RunAsync(options, reporter =>
                new PitrRestore(session.Repository, reporter).RunAsync(source.Name, target, destination, restoreCommand, parse.GetValue(archiveMode) == "off", work)));
            if (!options.Quiet)
            {
                Console.WriteLine($"laid out base backup {result.Backup.Id} in {directory}, recovering to {target}");
                Console.WriteLine($"the files belong to {destination.Owner.User.Name} ({destination.Owner.Reason})");
                Console.WriteLine($"archived WAL reaches {result.LastSegment}{(result.LastCommit is { } c ? $", last commit {c.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "")}");
                Console.WriteLine($"start it as the server's OS user: pg_ctl -D {directory} -o '-p <free port>' start   (it fetches WAL with lifeboat wal-fetch, then promotes)");
            }

            return CommandRunner.Ok;
        });
        return command;
    }

    private static PitrTarget TargetOf(string? time, string? lsn, bool latest)
    {
        var given = (time is null ? 0 : 1) + (lsn is null ? 0 : 1) + (latest ? 1 : 0);
        if (given != 1)
            throw new LifeboatException("give exactly one of --target-time, --target-lsn and --latest", kind: FailureKind.Usage);
        if (time is not null)
        {
            return DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment)
                ? new PitrTarget(moment, null)
                : throw new LifeboatException($"--target-time takes a moment such as 2026-12-03T10:42:35Z, not '{time}'", kind: FailureKind.Usage);
        }

        if (lsn is not null)
            return WalPosition.TryParse(lsn) is { } position ? new PitrTarget(null, position) : throw new LifeboatException($"--target-lsn takes a WAL position such as 0/7FA920, not '{lsn}'", kind: FailureKind.Usage);
        return new PitrTarget(null, null);
    }

    // The recovered server fetches WAL with this very executable and configuration.
    private static string ConfigPathOf(GlobalOptions options) =>
        Path.GetFullPath(options.ConfigPath ?? Environment.GetEnvironmentVariable("LIFEBOAT_CONFIG") ?? "lifeboat.yaml");
}
