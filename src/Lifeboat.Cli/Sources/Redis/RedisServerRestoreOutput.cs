using System.Globalization;
using Lifeboat.Cli.Output;
using Lifeboat.Redis.ServerRestore;
using Spectre.Console;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>What 'restore redis --to-server' prints: each database's keys restored, expired and filtered out, and the function libraries.</summary>
internal static class RedisServerRestoreOutput
{
    public static void Print(string backupId, RestoreTargetAddress address, ServerRestoreResult result, bool countsChecked, GlobalOptions options)
    {
        if (options.Json)
        {
            CliJson.Print(
                new RedisServerRestoreSummary(
                    backupId,
                    address.Endpoint,
                    result.KeysRestored,
                    [.. result.Databases.Select(d => new RedisDatabaseRestoreSummary(d.Db, d.Keys, d.Restored, d.Expired, d.FilteredOut))],
                    result.FunctionLibraries,
                    result.PayloadRdbVersion,
                    countsChecked,
                    result.FunctionLibrariesSkipped),
                RedisCliJson.Default.RedisServerRestoreSummary);
            return;
        }

        if (options.Quiet)
            return;
        var table = new Table().Border(TableBorder.Simple).AddColumns("DB", "KEYS IN BACKUP", "RESTORED", "EXPIRED", "FILTERED OUT");
        foreach (var column in table.Columns)
            column.RightAligned();
        foreach (var d in result.Databases)
            table.AddRow(N(d.Db), N(d.Keys), N(d.Restored), N(d.Expired), N(d.FilteredOut));
        TableOutput.Write(table);
        var libraries = result.FunctionLibraries.Count == 0
            ? "no function libraries"
            : $"function {(result.FunctionLibraries.Count == 1 ? "library" : "libraries")} {string.Join(", ", result.FunctionLibraries)}";
        var counts = countsChecked ? "; each database's keys match the counts the backup recorded" : "";
        var databases = result.Databases.Count(d => d.Restored > 0);
        Console.WriteLine($"restored backup {backupId} into {address.Name}: {N(result.KeysRestored)} keys in {N(databases)} {(databases == 1 ? "database" : "databases")}, {libraries}{counts}");
        if (result.FunctionLibrariesSkipped > 0)
            Console.WriteLine($"{N(result.FunctionLibrariesSkipped)} function {(result.FunctionLibrariesSkipped == 1 ? "library" : "libraries")} in the backup {(result.FunctionLibrariesSkipped == 1 ? "was" : "were")} not restored (filtered by --db or --match)");
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
