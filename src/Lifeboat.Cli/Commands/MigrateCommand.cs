using System.CommandLine;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat migrate: brings a repository written by an older Lifeboat to the layout this one reads.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Bring a repository of an older layout to the current one (moves manifests only; no backup data is rewritten)");
        command.SetBody(async (_, options, cancellationToken) =>
        {
            await using var repository = await RepositoryAccess.OpenForMigrationAsync(SettingsLoader.Load(options.ConfigPath), cancellationToken);
            var report = await Reporting.RunAsync(options, reporter => repository.MigrateAsync(reporter, cancellationToken));
            if (options.Json)
                CliJson.Print(new MigrateSummary(report.FromVersion, report.ToVersion, report.Migrated, report.Damaged), CliJson.Default.MigrateSummary);
            else
                Print(report, repository, options.Quiet);
            // The layout is current either way; damaged backups make the repository unhealthy, as 'check' would say.
            return report.Damaged.Count == 0 ? CommandRunner.Ok : (int)FailureKind.Unhealthy;
        });
        return command;
    }

    private static void Print(MigrationReport report, BackupRepository repository, bool quiet)
    {
        foreach (var damaged in report.Damaged)
            Console.Error.WriteLine($"lifeboat: problem: {damaged}; moved into the catalog as it was, where 'lifeboat check' lists it");
        if (quiet)
            return;
        var location = repository.Store.Location;
        Console.WriteLine((report.FromVersion == report.ToVersion, report.Migrated) switch
        {
            (true, 0) => $"the repository at {location} already has layout version {report.ToVersion}; nothing to do",
            (true, _) => $"the repository at {location} already has layout version {report.ToVersion}; {report.Migrated} manifests left in layout 1's place moved into the catalog",
            (false, 0) when report.FromVersion >= RepositoryConfig.OldestReadableVersion =>
                $"marked the repository at {location} as layout version {report.ToVersion} (backup ids to the microsecond); no data moved",
            _ => $"migrated the repository at {location} from layout version {report.FromVersion} to {report.ToVersion}: {report.Migrated} backups moved into the catalog",
        });
    }
}
