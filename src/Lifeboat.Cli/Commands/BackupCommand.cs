using System.CommandLine;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat backup postgres: the plan's daily dump.</summary>
internal static class BackupCommand
{
    public static Command Create()
    {
        var command = new Command("backup", "Back up a configured source into the repository");
        command.Subcommands.Add(Postgres());
        return command;
    }

    private static Command Postgres()
    {
        var name = CommonOptions.SourceName("postgres");
        var command = new Command("postgres", "Dump a PostgreSQL database (pg_dump custom format, zstd, AES-256-GCM) and record its exact row counts");
        command.Options.Add(name);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, "backup postgres", cancellationToken);
            var source = RepositoryAccess.Postgres(session.Settings, parse.GetValue(name));
            var manifest = await session.RunAsync(work => Reporting.RunAsync(options, reporter =>
                new PostgresDumpBackup(session.Repository, reporter).RunAsync(source, work)));
            var summary = BackupSummary.Of(manifest);
            if (options.Json)
                CliJson.Print(summary, CliJson.Default.BackupSummary);
            else if (!options.Quiet)
                Console.WriteLine($"backup {manifest.Id}: postgres/{manifest.Name} ({manifest.Postgres!.Tables.Count} tables), {ByteSize.Format(manifest.SizeBytes)} dumped, {ByteSize.Format(manifest.StoredBytes)} stored, {(manifest.FinishedAt - manifest.StartedAt).TotalSeconds:0.0} s");
            return CommandRunner.Ok;
        });
        return command;
    }
}
