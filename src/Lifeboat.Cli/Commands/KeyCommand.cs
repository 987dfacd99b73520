using System.CommandLine;
using Lifeboat.Repository;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Format;
using Spectre.Console;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat key list|add|remove: the secrets that open the repository, changed without touching a backup.</summary>
internal static class KeyCommand
{

    public static Command Create()
    {
        var command = new Command("key", "Manage the key files and passphrases that open the repository (each is a key slot wrapping the one data key)");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Add());
        command.Subcommands.Add(Remove());
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the key slots; the one this configuration's key opens is marked");
        command.SetBody(async (_, options, cancellationToken) =>
        {
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var slots = await session.Repository.ListKeySlotsAsync(
                (key, error) => Console.Error.WriteLine($"lifeboat: warning: {key} is damaged and opens nothing: {error.Message}"),
                cancellationToken);
            var summaries = slots.Select(s => new KeySlotSummary(s.Id, s.Kind, s.Created, s.Id == session.Repository.OpenedSlotId, s.Label)).ToList();
            if (options.Json)
            {
                CliJson.Print(summaries, CliJson.Default.ListKeySlotSummary);
                return CommandRunner.Ok;
            }

            var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "KIND", "LABEL", "CREATED (UTC)", "");
            foreach (var slot in summaries)
            {
                // A label is the operator's text: escaped, so brackets in it are not taken for Spectre markup.
                table.AddRow(slot.Id, slot.Kind, Markup.Escape(slot.Label ?? ""), slot.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                    slot.Current ? "opened by this configuration" : "");
            }

            TableOutput.Write(table);
            return CommandRunner.Ok;
        });
        return command;
    }

    private static Command Add()
    {
        var keyFile = new Option<string?>("--key-file") { Description = "Key file for the new slot; created (32 random bytes, mode 0600) when it does not exist" };
        var passphraseEnv = new Option<string?>("--passphrase-env") { Description = $"Environment variable holding the new slot's passphrase (at least {KeySecret.MinimumNewPassphraseLength} characters)" };
        var label = new Option<string?>("--label") { Description = "A name for the slot, shown by 'key list' (e.g. ops-2026: who holds it, or since when)" };
        var command = new Command("add", "Add a key file or passphrase that opens the repository too (opened with the configured key)");
        command.Options.Add(keyFile);
        command.Options.Add(passphraseEnv);
        command.Options.Add(label);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            var (secret, createdFile) = NewSecret(parse.GetValue(keyFile), parse.GetValue(passphraseEnv));
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            await session.LockAsync(LockScope.Keys, "key add");
            var slot = await session.RunAsync(work => session.Repository.AddKeySlotAsync(secret, parse.GetValue(label), work));
            if (options.Json)
            {
                CliJson.Print(new KeySlotSummary(slot.Id, slot.Kind, slot.Created, Current: false, slot.Label), CliJson.Default.KeySlotSummary);
                return CommandRunner.Ok;
            }

            if (createdFile is not null)
                Console.WriteLine($"created key file {createdFile} (mode 0600): keep a copy somewhere safe, apart from the backups");
            if (!options.Quiet)
                Console.WriteLine($"added key slot {slot.Id} ({slot.Kind}{(slot.Label is null ? "" : $", '{slot.Label}'")}): it opens the repository and every backup in it");
            return CommandRunner.Ok;
        });
        return command;
    }

    private static (KeySecret Secret, string? CreatedFile) NewSecret(string? keyFile, string? passphraseEnv)
    {
        if ((keyFile is null) == (passphraseEnv is null))
            throw new LifeboatException("'key add' needs exactly one of --key-file PATH or --passphrase-env VARIABLE", null, FailureKind.Usage);
        if (passphraseEnv is not null)
        {
            // Refused before the repository is opened or locked: nothing at all is written for a passphrase too short.
            var passphrase = KeySecret.FromPassphrase(new SecretReference(passphraseEnv, "--passphrase-env", "this command").Resolve());
            passphrase.ThrowIfTooWeakForNewSlot();
            return (passphrase, null);
        }

        var path = Path.GetFullPath(keyFile!);
        if (File.Exists(path))
            return (KeySecret.FromKeyFile(path), null);
        KeyFile.Create(path);
        return (KeySecret.FromKeyFile(path), path);
    }

    private static Command Remove()
    {
        var id = new Argument<string>("SLOT") { Description = "The slot's id, as 'lifeboat key list' shows it" };
        var command = new Command("remove", "Remove a key slot: its key file or passphrase no longer opens the repository (the one in use cannot be removed)");
        command.Arguments.Add(id);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            // Exclusive over the key slots, and the slot in use is looked for again under the lock: two removals, each
            // by the key of the slot the other removes, would otherwise leave none. Backups and WAL pushes go on.
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            await session.LockAsync(LockScope.Keys, "key remove", exclusive: true);
            var slotId = parse.GetValue(id)!;
            await session.RunAsync(work => session.Repository.RemoveKeySlotAsync(slotId, work));
            if (options.Json)
                CliJson.Print(new KeyRemovedSummary(slotId), CliJson.Default.KeyRemovedSummary);
            else if (!options.Quiet)
                Console.WriteLine($"removed key slot {slotId}: its key no longer opens the repository");
            return CommandRunner.Ok;
        });
        return command;
    }
}
