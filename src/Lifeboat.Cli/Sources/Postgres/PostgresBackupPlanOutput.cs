using Lifeboat.Cli.Output;
using Lifeboat.Postgres;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>How 'backup postgres --dry-run' shows what it would dump.</summary>
internal static class PostgresBackupPlanOutput
{
    public static void Print(BackupPlan plan, string name, string repository, GlobalOptions options)
    {
        if (options.Json)
        {
            CliJson.Print(
                new PostgresBackupPlanSummary(true, PostgresDumpBackup.SourceType, name, plan.Server, plan.Database, plan.ServerVersion, plan.PgDumpVersion, plan.Tables, plan.Extensions, plan.EstimatedBytes, plan.LockedTables, repository),
                PostgresCliJson.Default.PostgresBackupPlanSummary);
            return;
        }

        if (options.Quiet)
            return;
        Console.WriteLine("dry run: nothing was dumped and nothing was written to the repository");
        Console.WriteLine($"would back up postgres/{name}: {plan.Server} (server {plan.ServerVersion}, {plan.PgDumpVersion})");
        Console.WriteLine($"  {plan.Tables} tables; extensions: {Extensions(plan.Extensions)}");
        var from = plan.LockedTables is null ? "the tables' sizes on disk" : "the planner's statistics, as a table was locked";
        Console.WriteLine($"  about {ByteSize.Format(plan.EstimatedBytes)} to dump (estimated from {from}; the backup refines it as it runs)");
        if (plan.LockNote is { } note)
            Console.WriteLine($"  {note}");
        Console.WriteLine($"  into the repository at {repository}, which the configured key opens");
    }

    /// <summary>"plpgsql 1.0, postgis 3.3.2", or "none".</summary>
    public static string Extensions(IReadOnlyList<ExtensionInfo> extensions) =>
        extensions.Count == 0 ? "none" : string.Join(", ", extensions.Select(e => $"{e.Name} {e.Version}"));
}
