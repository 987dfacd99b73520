using System.CommandLine;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Format;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat init: creates the repository (and its key file when it does not exist yet).</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var command = new Command("init", "Create a new encrypted repository at repository.url; creates the key file if missing");
        command.SetBody(async (_, options, cancellationToken) =>
        {
            var settings = SettingsLoader.Load(options.ConfigPath);
            var encryption = settings.Repository.Encryption;
            // A passphrase too short for a new repository is refused before anything is created, the directory included.
            if (encryption.Passphrase is not null)
                RepositoryAccess.Secret(encryption).ThrowIfTooWeakForNewSlot();
            await using var store = RepositoryAccess.OpenStore(settings.Repository);
            // Refuse before creating a key file: a new key beside an existing repository would open nothing.
            await BackupRepository.ThrowIfExistsAsync(store, cancellationToken);
            var createdKey = false;
            if (encryption.KeyFile is { } keyFile && !File.Exists(keyFile))
            {
                KeyFile.Create(keyFile);
                createdKey = true;
            }

            await using var repository = await BackupRepository.InitAsync(store, RepositoryAccess.Secret(encryption), RepositoryAccess.Envelope(settings), cancellationToken);
            if (options.Json)
            {
                CliJson.Print(new InitSummary(store.Location, repository.Config.Id, encryption.KeyFile, createdKey), CliJson.Default.InitSummary);
                return CommandRunner.Ok;
            }

            if (!options.Quiet)
            {
                Console.WriteLine($"created repository {repository.Config.Id} at {store.Location}");
                if (createdKey)
                    Console.WriteLine($"created key file {encryption.KeyFile} (mode 0600): keep a copy somewhere safe, apart from the backups; without it they cannot be read");
            }

            return CommandRunner.Ok;
        });
        return command;
    }
}
