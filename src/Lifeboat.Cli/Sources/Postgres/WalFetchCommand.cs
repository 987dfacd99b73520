using System.CommandLine;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Configuration;
using Lifeboat.Format;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>lifeboat wal-fetch: PostgreSQL's restore_command, with exit codes recovery can act on.</summary>
internal static class WalFetchCommand
{
    /// <summary>The archive has no such file: recovery takes it as the end of the archived WAL.</summary>
    public const int NotInArchive = 1;

    /// <summary>The archived file is damaged. Above 125, so PostgreSQL stops recovery instead of ending it early.</summary>
    public const int Damaged = 126;

    /// <summary>Anything else (repository unreachable, wrong key, bad configuration): also stops recovery, never ends it.</summary>
    public const int Failed = 127;

    public static Command Create()
    {
        var name = CommonOptions.SourceName("postgres");
        var file = new Argument<string>("NAME") { Description = "The WAL file recovery asks for (%f)" };
        var destination = new Argument<string>("DEST") { Description = "Where recovery wants it (%p)" };
        var command = new Command(
            "wal-fetch",
            "Fetch one archived WAL file: restore_command = 'lifeboat wal-fetch %f %p'. Exits 0 with the file in place, 1 when the archive has none, 126 when it is damaged and 127 on any other failure (both stop recovery)");
        command.Options.Add(name);
        command.Arguments.Add(file);
        command.Arguments.Add(destination);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            try
            {
                await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
                var source = SourcePicker.Pick<PostgresSettings>(session.Settings, PostgresSection.Declaration, parse.GetValue(name));
                await new WalArchive(session.Repository, source.Name).FetchAsync(parse.GetValue(file)!, parse.GetValue(destination)!, cancellationToken);
                return CommandRunner.Ok;
            }
            catch (WalFileMissingException missing)
            {
                // Asked for files beyond the end of the archive as a matter of course: not an error, one quiet line.
                if (!options.Quiet)
                    Console.Error.WriteLine($"lifeboat: {missing.Message}");
                return NotInArchive;
            }
            catch (LifeboatException e) when (e is EnvelopeCorruptException or DamagedRecordException)
            {
                Console.Error.WriteLine(CommandRunner.ErrorLine(e));
                return Damaged;
            }
            catch (LifeboatException e)
            {
                Console.Error.WriteLine(CommandRunner.ErrorLine(e));
                return Failed;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Never 1 for a failure: recovery would take it for the end of the archive and stop short.
                CommandRunner.WriteError(e.Message, "recovery stops here; fix the cause and start the server again");
                return Failed;
            }
        });
        return command;
    }
}
