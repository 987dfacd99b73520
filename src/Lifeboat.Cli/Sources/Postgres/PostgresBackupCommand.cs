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
        command.Options.Add(name);
        command.Options.Add(dryRun);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = PostgresSourceKind.Pick(session.Settings, parse.GetValue(name));
            if (parse.GetValue(dryRun))
            {
                // No lock either: taking one writes to the repository.
                PostgresBackupPlanOutput.Print(await PostgresDumpBackup.PlanAsync(source, cancellationToken), source.Name, session.Repository.Store.Location, options);
                return CommandRunner.Ok;
            }

            await session.LockAsync(LockScope.Source(PostgresDumpBackup.SourceType, source.Name), "backup postgres");
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
}
