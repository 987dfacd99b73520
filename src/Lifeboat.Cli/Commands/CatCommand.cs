using System.CommandLine;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat cat: writes an artifact in its standard form to stdout, so standard tools can take over.</summary>
internal static class CatCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("ID") { Description = "Backup id (whole, a unique prefix, or a unique prefix of its last 8 characters)" };
        var file = new Argument<string?>("FILE") { Description = "Which object of the backup (default: its only data object, e.g. 'dump')", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("cat", "Write a backup's artifact, decrypted and decompressed, to stdout (e.g. 'lifeboat cat ID | pg_restore -l')");
        command.Arguments.Add(id);
        command.Arguments.Add(file);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var backupId = parse.GetValue(id)!;
            var found = await session.Repository.FindBackupAsync(null, null, backupId, cancellationToken);
            // Shared over the backup's own source: a prune of it waits until the artifact is out.
            await session.LockAsync(LockScope.Source(found.Source, found.Name), "cat");
            return await session.RunAsync(async work =>
            {
                // Looked up again under the lock: a prune that ran between the lookup and the lock says "no such backup".
                var manifest = await session.Repository.FindBackupAsync(found.Source, found.Name, found.Id, work);
                var wanted = parse.GetValue(file);
                var stored = wanted is null
                    ? manifest.Objects.Count == 1 ? manifest.Objects[0] : throw new LifeboatException(
                        $"backup {backupId} has {manifest.Objects.Count} objects", $"name one: {string.Join(", ", manifest.Objects.Select(o => o.Key.Split('/')[^1]))}", FailureKind.Usage)
                    : manifest.Objects.FirstOrDefault(o => o.Key.Split('/')[^1] == wanted) ?? throw new LifeboatException(
                        $"backup {backupId} has no object '{wanted}'", $"it has: {string.Join(", ", manifest.Objects.Select(o => o.Key.Split('/')[^1]))}", FailureKind.Usage);
                await using var input = await session.Repository.OpenObjectAsync(stored, work);
                await using var stdout = Console.OpenStandardOutput();
                await input.CopyToAsync(stdout, 1 << 20, work);
                return CommandRunner.Ok;
            });
        });
        return command;
    }
}
