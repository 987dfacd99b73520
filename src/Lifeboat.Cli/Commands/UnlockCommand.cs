using System.CommandLine;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat unlock: removes stale locks (or all, in an emergency).</summary>
internal static class UnlockCommand
{
    public static Command Create()
    {
        var all = CommonOptions.Flag("--all", "Remove every lock, also those of running commands (only when you know they are gone)");
        var command = new Command("unlock", "Remove stale repository locks, naming each one removed");
        command.Options.Add(all);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            // Unlocking needs no key: locks are plain records, and a lost key must not keep a repository locked.
            var settings = SettingsLoader.Load(options.ConfigPath);
            await using var store = RepositoryAccess.OpenStore(settings.Repository);
            var removed = await RepositoryLock.RemoveAsync(store, parse.GetValue(all), cancellationToken);
            var remaining = await RepositoryLock.ListAsync(store, cancellationToken);
            if (options.Json)
            {
                CliJson.Print(new UnlockSummary(removed, remaining), CliJson.Default.UnlockSummary);
                return CommandRunner.Ok;
            }

            foreach (var record in removed)
                Console.WriteLine($"removed {record.Describe()}");
            foreach (var record in remaining)
                Console.WriteLine($"kept live {record.Describe()}");
            if (removed.Count == 0 && remaining.Count == 0 && !options.Quiet)
                Console.WriteLine("the repository has no locks");
            return CommandRunner.Ok;
        });
        return command;
    }
}
