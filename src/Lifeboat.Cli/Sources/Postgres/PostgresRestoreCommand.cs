using System.CommandLine;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres;
using Lifeboat.Repository;
using Spectre.Console;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>lifeboat restore postgres: the plan's §4.1 as one command.</summary>
internal static class PostgresRestoreCommand
{
    public static Command Create()
    {
        var name = CommonOptions.SourceName("postgres");
        var backup = new Option<string>("--backup") { Description = "Backup id (whole, a unique prefix, or a unique prefix of its last 8 characters), or 'latest'", DefaultValueFactory = _ => "latest" };
        var target = new Option<string?>("--target-db") { Description = "Database to restore into (default: the dumped database's name)" };
        var force = CommonOptions.Flag("--force", "Replace the target database if it exists (after the restore has been verified)");
        var jobs = new Option<int>("--jobs", "-j") { Description = "Parallel pg_restore jobs; above 1 each table is spooled to a temp file as it arrives", DefaultValueFactory = _ => 1 };
        var spool = new Option<string?>("--spool-dir") { Description = "Directory for those files (default: /dev/shm when the archive fits in memory with room to spare, else $TMPDIR)" };
        var dryRun = CommonOptions.Flag("--dry-run", "Show what would be restored where and what it would replace, and whether the restore would be allowed; change nothing");
        var command = new Command("postgres", "Restore a PostgreSQL dump into a database and verify every table's row count against the manifest");
        foreach (var option in new Option[] { name, backup, target, force, jobs, spool, dryRun })
            command.Options.Add(option);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            if (parse.GetValue(jobs) < 1)
                throw new LifeboatException("--jobs must be at least 1", null, FailureKind.Usage);
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = PostgresSourceKind.Pick(session.Settings, parse.GetValue(name));
            var restoreOptions = new RestoreOptions(parse.GetValue(target), parse.GetValue(force), parse.GetValue(jobs), parse.GetValue(spool));
            if (parse.GetValue(dryRun))
            {
                // Reading a manifest needs no lock, as for 'list'; a lock would be a write to the repository.
                var found = await session.Repository.FindBackupAsync(PostgresDumpBackup.SourceType, source.Name, parse.GetValue(backup)!, cancellationToken, PostgresDumpBackup.Kind);
                var plan = await PostgresDumpRestore.PlanAsync(source, found, restoreOptions, cancellationToken);
                PostgresRestorePlanOutput.Print(plan, restoreOptions, options);
                return plan.Refusal is null ? CommandRunner.Ok : throw plan.Refusal;
            }

            await session.LockAsync(LockScope.Source(PostgresDumpBackup.SourceType, source.Name), "restore postgres");
            var result = await session.RunAsync(async work =>
            {
                var manifest = await session.Repository.FindBackupAsync(PostgresDumpBackup.SourceType, source.Name, parse.GetValue(backup)!, work, PostgresDumpBackup.Kind);
                return await Reporting.RunAsync(options, reporter =>
                    new PostgresDumpRestore(session.Repository, reporter).RunAsync(source, manifest, restoreOptions, work));
            });
            Print(result, options);
            return CommandRunner.Ok;
        });
        return command;
    }

    private static void Print(RestoreResult result, GlobalOptions options)
    {
        if (options.Json)
        {
            CliJson.Print(new PostgresRestoreSummary(result.BackupId, result.TargetDatabase, result.Verified, result.Duration.TotalSeconds, result.Tables, result.ActualLargeObjects), PostgresCliJson.Default.PostgresRestoreSummary);
            return;
        }

        if (options.Quiet)
            return;
        var table = new Table().Border(TableBorder.Simple).AddColumns("TABLE", "ROWS IN BACKUP", "ROWS RESTORED", "");
        foreach (var t in result.Tables)
            table.AddRow($"{t.Schema}.{t.Table}", t.Expected.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Actual.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Matches ? "ok" : "MISMATCH");
        table.AddRow("(large objects)", result.ExpectedLargeObjects.ToString(System.Globalization.CultureInfo.InvariantCulture), result.ActualLargeObjects.ToString(System.Globalization.CultureInfo.InvariantCulture), result.ExpectedLargeObjects == result.ActualLargeObjects ? "ok" : "MISMATCH");
        TableOutput.Write(table);
        Console.WriteLine($"restored backup {result.BackupId} into '{result.TargetDatabase}' in {result.Duration.TotalSeconds:0.0} s: {result.Tables.Count} tables verified, row counts match the backup exactly");
    }
}
