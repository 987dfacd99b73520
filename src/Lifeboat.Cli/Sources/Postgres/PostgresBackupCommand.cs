using System.CommandLine;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>lifeboat backup postgres: the plan's daily dump.</summary>
internal static class PostgresBackupCommand
{
    public static Command Create()
    {
        var name = CommonOptions.SourceName("postgres");
        var command = new Command("postgres", "Dump a PostgreSQL database (pg_dump custom format, zstd, AES-256-GCM) and record its exact row counts");
        var dryRun = CommonOptions.Flag(
            "--dry-run", "Show what would be dumped and its estimated size, after checking that the repository opens and the database is reachable; write nothing");
        var physical = CommonOptions.Flag(
            "--physical", "Take a base backup of the whole cluster (every tablespace) for point-in-time recovery instead of a logical dump; needs WAL archiving through 'lifeboat wal-push'");
        var archiveTimeout = new Option<int>("--archive-timeout")
        {
            Description = "Seconds a base backup waits for the WAL it needs to reach the archive before failing",
            DefaultValueFactory = _ => 300,
        };
        command.Options.Add(name);
        command.Options.Add(dryRun);
        command.Options.Add(physical);
        command.Options.Add(archiveTimeout);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = PostgresSourceKind.Pick(session.Settings, parse.GetValue(name));
            if (parse.GetValue(dryRun) && parse.GetValue(physical))
                throw new LifeboatException("--dry-run plans logical dumps only so far; it cannot plan a base backup", "run 'lifeboat doctor' to check the source", FailureKind.Usage);
            if (parse.GetValue(dryRun))
            {
                // No lock either: taking one writes to the repository.
                PostgresBackupPlanOutput.Print(await PostgresDumpBackup.PlanAsync(source, cancellationToken), source.Name, session.Repository.Store.Location, options);
                return CommandRunner.Ok;
            }

            await session.LockAsync(LockScope.Source(PostgresDumpBackup.SourceType, source.Name), "backup postgres");
            if (parse.GetValue(physical))
                return await PhysicalAsync(session, source, TimeSpan.FromSeconds(parse.GetValue(archiveTimeout)), options);
            var manifest = await session.RunAsync(work => Reporting.RunAsync(options, reporter =>
                new PostgresDumpBackup(session.Repository, reporter).RunAsync(source, work)));
            var summary = BackupSummary.Of(manifest, SourceKinds.SummaryFields(manifest));
            if (options.Json)
                CliJson.Print(summary, CliJson.Default.BackupSummary);
            else if (!options.Quiet)
                Console.WriteLine($"backup {manifest.Id}: postgres/{manifest.Name} ({PostgresDumpInfo.Of(manifest).Tables.Count} tables), {ByteSize.Format(manifest.SizeBytes)} dumped, {ByteSize.Format(manifest.StoredBytes)} stored, {(manifest.FinishedAt - manifest.StartedAt).TotalSeconds:0.0} s");
            return CommandRunner.Ok;
        }, afterInterruption: "no backup was recorded");
        return command;
    }

    private static async Task<int> PhysicalAsync(RepositorySession session, PostgresSource source, TimeSpan archiveTimeout, GlobalOptions options)
    {
        var manifest = await session.RunAsync(work => Reporting.RunAsync(options, reporter =>
            new PostgresBaseBackup(session.Repository, reporter).RunAsync(source, archiveTimeout, work)));
        var summary = BackupSummary.Of(manifest, SourceKinds.SummaryFields(manifest));
        if (options.Json)
        {
            CliJson.Print(summary, CliJson.Default.BackupSummary);
        }
        else if (!options.Quiet)
        {
            var info = BaseBackupInfo.Of(manifest);
            Console.WriteLine($"base backup {manifest.Id}: postgres/{manifest.Name} ({info.Tablespaces.Count} tablespace(s), WAL {info.FirstSegment} to {info.LastSegment} archived), {ByteSize.Format(manifest.SizeBytes)} copied, {ByteSize.Format(manifest.StoredBytes)} stored, {(manifest.FinishedAt - manifest.StartedAt).TotalSeconds:0.0} s");
        }

        return CommandRunner.Ok;
    }
}
