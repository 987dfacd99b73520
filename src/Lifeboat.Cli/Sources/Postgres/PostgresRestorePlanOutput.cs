using System.Globalization;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres;
using Spectre.Console;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>How 'restore postgres --dry-run' shows what it would restore where, and what it would replace.</summary>
internal static class PostgresRestorePlanOutput
{
    public static void Print(RestorePlan plan, RestoreOptions restore, GlobalOptions options)
    {
        if (options.Json)
        {
            CliJson.Print(Summary(plan, restore), PostgresCliJson.Default.PostgresRestorePlanSummary);
            return;
        }

        if (options.Quiet)
            return;
        var backup = plan.Backup;
        Console.WriteLine("dry run: nothing was restored, created or dropped");
        Console.WriteLine($"would restore backup {backup.Id} (postgres/{backup.Name}, database '{plan.Info.Database}', taken {backup.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC; {ByteSize.Format(backup.SizeBytes)} dumped, {ByteSize.Format(backup.StoredBytes)} stored)");
        Console.WriteLine($"into database '{plan.TargetDatabase}' on {plan.Server}, through a staging database that takes its name once every row count is verified");
        var table = new Table().Border(TableBorder.Simple).AddColumns("TABLE", "ROWS IN BACKUP");
        foreach (var t in plan.Info.Tables)
            table.AddRow(Markup.Escape(t.QualifiedName), t.Rows.ToString(CultureInfo.InvariantCulture));
        table.AddRow("(large objects)", plan.Info.LargeObjects.ToString(CultureInfo.InvariantCulture));
        TableOutput.Write(table);
        Console.WriteLine(Target(plan, restore.Force));
        Console.WriteLine($"extensions: {PostgresBackupPlanOutput.Extensions(plan.Info.Extensions)}");
        Console.WriteLine(plan.PgRestoreVersion is null ? "pg_restore: not looked for" : $"{plan.PgRestoreVersion}, {Method(plan, restore.Jobs)}");
        Console.WriteLine(plan.Refusal is null ? "the restore would be allowed" : "the restore would be refused:");
    }

    private static string Target(RestorePlan plan, bool force)
    {
        if (plan.Existing is not { } existing)
            return $"database '{plan.TargetDatabase}' does not exist: it would be created";
        var size = existing.SizeBytes is { } bytes ? ByteSize.Format(bytes) : "size unknown (no CONNECT privilege)";
        var what = $"database '{plan.TargetDatabase}' exists ({size}, {(existing.Tables is { } n ? $"{n} tables" : "tables not counted: it cannot be connected to")})";
        return force
            ? $"{what}: it would be dropped and replaced (--force), after the restored copy is verified"
            : $"{what}: without --force the restore refuses to replace it";
    }

    private static string Method(RestorePlan plan, int jobs) =>
        jobs > 1 ? $"{jobs} parallel jobs, spooling the archive's tables in {plan.SpoolDirectory}" : "streamed from the repository (one job)";

    private static PostgresRestorePlanSummary Summary(RestorePlan plan, RestoreOptions restore) => new(
        DryRun: true,
        Id: plan.Backup.Id,
        Name: plan.Backup.Name,
        StartedAt: plan.Backup.StartedAt,
        SizeBytes: plan.Backup.SizeBytes,
        StoredBytes: plan.Backup.StoredBytes,
        Server: plan.Server,
        TargetDatabase: plan.TargetDatabase,
        Tables: plan.Info.Tables,
        LargeObjects: plan.Info.LargeObjects,
        Extensions: plan.Info.Extensions,
        ExistingDatabase: plan.Existing,
        Replaces: plan.Existing is not null && restore.Force,
        Jobs: restore.Jobs,
        SpoolDirectory: plan.SpoolDirectory,
        Allowed: plan.Refusal is null,
        Refusal: plan.Refusal?.Message);
}
