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
            var settings = SettingsLoader.Load(options.ConfigPath);
            var store = RepositoryAccess.OpenStore(settings.Repository);
            BackupRepository repository;
            try
            {
                repository = await BackupRepository.OpenForMigrationAsync(store, () => RepositoryAccess.Secret(settings.Repository.Encryption), RepositoryAccess.Envelope(settings), cancellationToken);
            }
            catch
            {
                await store.DisposeAsync();
                throw;
            }

            await using (repository)
            {
                var report = await Reporting.RunAsync(options, reporter => repository.MigrateAsync(reporter, cancellationToken));
                if (options.Json)
                    CliJson.Print(new MigrateSummary(report.FromVersion, report.ToVersion, report.Migrated, report.Skipped), CliJson.Default.MigrateSummary);
                else
                    Print(report, repository, options.Quiet);
            }

            return CommandRunner.Ok;
        });
        return command;
    }

    private static void Print(MigrationReport report, BackupRepository repository, bool quiet)
    {
        foreach (var skipped in report.Skipped)
            Console.Error.WriteLine($"lifeboat: warning: not migrated, left where it is: {skipped}");
        if (quiet)
            return;
        Console.WriteLine(report.FromVersion == report.ToVersion
            ? $"the repository at {repository.Store.Location} already has layout version {report.ToVersion}; nothing to do"
            : $"migrated the repository at {repository.Store.Location} from layout version {report.FromVersion} to {report.ToVersion}: {report.Migrated} backups moved into the catalog");
    }
}
