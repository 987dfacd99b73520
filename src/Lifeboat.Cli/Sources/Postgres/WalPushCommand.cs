using System.CommandLine;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Configuration;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>lifeboat wal-push: PostgreSQL's archive_command, one WAL file per call.</summary>
internal static class WalPushCommand
{
    public static Command Create()
    {
        var name = CommonOptions.SourceName("postgres");
        var path = new Argument<string>("PATH") { Description = "The WAL file PostgreSQL passes as %p (relative to its data directory)" };
        var command = new Command("wal-push", "Archive one WAL file: archive_command = 'lifeboat wal-push %p'. Exits 0 only once the file is durably in the repository");
        command.Options.Add(name);
        command.Arguments.Add(path);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            // No lock: PostgreSQL calls this for every segment, and a prune keeps what it must by itself.
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            // Only the name is needed: archiving never connects to the server, so no password is read.
            var source = SourcePicker.Pick<PostgresSettings>(session.Settings, PostgresSection.Declaration, parse.GetValue(name));
            var file = parse.GetValue(path)!;
            var outcome = await new WalArchive(session.Repository, source.Name).PushAsync(file, cancellationToken);
            if (!options.Quiet)
                Console.WriteLine(outcome == WalPushOutcome.Stored ? $"archived {Path.GetFileName(file)}" : $"{Path.GetFileName(file)} was already archived with the same content");
            return CommandRunner.Ok;
        });
        return command;
    }
}
