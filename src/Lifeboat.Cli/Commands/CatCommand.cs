using System.CommandLine;
using Lifeboat.Cli.Sources;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat cat: writes an artifact in its standard form to stdout, so standard tools can take over.</summary>
internal static class CatCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("ID") { Description = "Backup id (whole, a unique prefix, or a unique prefix of its last 8 characters)" };
        var file = new Argument<string?>("FILE")
        {
            Description = "Which object of the backup (default: its only data object, e.g. 'dump'); of a bucket snapshot, the object's key",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var version = new Option<string?>("--version")
        {
            Description = "Of a bucket snapshot: which version of the object, by the source's version id or 8+ hex digits of its SHA-256 (default: the object current in the snapshot)",
        };
        var command = new Command(
            "cat",
            "Write a backup's artifact, decrypted, decompressed and verified, to stdout (e.g. 'lifeboat cat ID | pg_restore -l'; one object of a bucket snapshot: 'lifeboat cat ID KEY')");
        command.Arguments.Add(id);
        command.Arguments.Add(file);
        command.Options.Add(version);
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
                var request = new ArtifactRequest(session.Repository, manifest, parse.GetValue(file), parse.GetValue(version), Warn);
                await using var input = SourceKinds.All.FirstOrDefault(k => k.Name == manifest.Source)?.OpenArtifact is { } open
                    ? await open(request, work)
                    : await OpenObjectAsync(request, backupId, work);
                await using var stdout = Console.OpenStandardOutput();
                await CopyAsync(input, stdout, work);
                return CommandRunner.Ok;
            });
        });
        return command;
    }

    /// <summary>One of the manifest's own objects, by the last segment of its key.</summary>
    private static async Task<Stream> OpenObjectAsync(ArtifactRequest request, string backupId, CancellationToken cancellationToken)
    {
        var manifest = request.Backup;
        if (request.Version is not null)
            throw new LifeboatException($"backup {backupId} is a {manifest.Source} backup, whose objects have no versions", "leave out --version: it names a version of a bucket snapshot's object", FailureKind.Usage);
        var wanted = request.Name;
        var stored = wanted is null
            ? manifest.Objects.Count == 1 ? manifest.Objects[0] : throw new LifeboatException(
                $"backup {backupId} has {manifest.Objects.Count} objects", $"name one: {string.Join(", ", manifest.Objects.Select(o => o.Key.Split('/')[^1]))}", FailureKind.Usage)
            : manifest.Objects.FirstOrDefault(o => o.Key.Split('/')[^1] == wanted) ?? throw new LifeboatException(
                $"backup {backupId} has no object '{wanted}'", $"it has: {string.Join(", ", manifest.Objects.Select(o => o.Key.Split('/')[^1]))}", FailureKind.Usage);
        return await request.Repository.OpenObjectAsync(stored, cancellationToken);
    }

    // A stream that fails part-way has already written its authenticated chunks; the error says the output is incomplete.
    private static async Task CopyAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        long written = 0;
        try
        {
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                written += read;
            }
        }
        catch (LifeboatException e) when (written > 0)
        {
            throw new LifeboatException($"{e.Message.TrimEnd('.', ' ')}; the {written} bytes written before it are incomplete and must not be used", e.Hint, e.Kind, e)
            {
                Remedy = e.Remedy,
            };
        }
    }

    private static void Warn(string message) => Console.Error.WriteLine($"lifeboat: warning: {message}");
}
