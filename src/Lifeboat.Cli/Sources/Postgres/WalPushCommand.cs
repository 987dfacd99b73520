using System.CommandLine;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>lifeboat wal-push: PostgreSQL's archive_command, one WAL file per call, in the foreground or through a background pusher.</summary>
internal static class WalPushCommand
{
    /// <summary>Where asynchronous archiving keeps its verdicts unless told otherwise: local, outside the data directory.</summary>
    public const string DefaultSpool = "/var/tmp/lifeboat-wal-spool";

    public static Command Create()
    {
        var name = CommonOptions.SourceName("postgres");
        var path = new Argument<string>("PATH") { Description = "The WAL file PostgreSQL passes as %p (relative to its data directory)" };
        var asynchronous = CommonOptions.Flag(
            "--async", "Push through a background pusher that reads ahead in archive_status and pushes several files at once; this call waits for its own file");
        var spool = new Option<string>("--spool-dir") { Description = "Where --async keeps its state (local, private to this user)", DefaultValueFactory = _ => DefaultSpool };
        var processes = new Option<int>("--processes") { Description = "Files the background pusher pushes at once", DefaultValueFactory = _ => 2 };
        var timeout = new Option<int>("--timeout") { Description = "Seconds --async waits for its file before failing (PostgreSQL then retries)", DefaultValueFactory = _ => 60 };
        var idle = new Option<int>("--idle-exit") { Description = "Seconds the background pusher stays without a ready file before it exits", DefaultValueFactory = _ => 60 };
        var command = new Command("wal-push", "Archive one WAL file: archive_command = 'lifeboat wal-push %p'. Exits 0 only once the file is durably in the repository");
        command.Options.Add(name);
        command.Options.Add(asynchronous);
        command.Options.Add(spool);
        command.Options.Add(processes);
        command.Options.Add(timeout);
        command.Options.Add(idle);
        command.Arguments.Add(path);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            // No lock: PostgreSQL calls this for every segment, and a prune keeps what it must by itself.
            var file = parse.GetValue(path)!;
            if (parse.GetValue(asynchronous))
            {
                var pusher = new PusherSettings(parse.GetValue(spool)!, parse.GetValue(processes), parse.GetValue(idle));
                await WaitForPusherAsync(options, file, parse.GetValue(name), pusher, parse.GetValue(timeout), cancellationToken);
                if (!options.Quiet)
                    Console.WriteLine($"archived {Path.GetFileName(file)}");
                return CommandRunner.Ok;
            }

            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = PickSource(session.Settings, parse.GetValue(name));
            var outcome = await new WalArchive(session.Repository, source.Name).PushAsync(file, cancellationToken);
            if (!options.Quiet)
                Console.WriteLine(outcome == WalPushOutcome.Stored ? $"archived {Path.GetFileName(file)}" : $"{Path.GetFileName(file)} was already archived with the same content");
            return CommandRunner.Ok;
        });
        return command;
    }

    /// <summary>The hidden command the foreground starts: the background pusher itself.</summary>
    public static Command CreatePusher()
    {
        var name = CommonOptions.SourceName("postgres");
        var walDirectory = new Argument<string>("WALDIR");
        var spool = new Option<string>("--spool-dir") { DefaultValueFactory = _ => DefaultSpool };
        var processes = new Option<int>("--processes") { DefaultValueFactory = _ => 2 };
        var idle = new Option<int>("--idle-exit") { DefaultValueFactory = _ => 60 };
        var command = new Command("wal-pusher", "The background pusher of 'wal-push --async' (started by it)") { Hidden = true };
        command.Options.Add(name);
        command.Options.Add(spool);
        command.Options.Add(processes);
        command.Options.Add(idle);
        command.Arguments.Add(walDirectory);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            // The key is derived once here, for every file this process pushes (a passphrase's Argon2 included).
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = PickSource(session.Settings, parse.GetValue(name));
            var archive = new WalArchive(session.Repository, source.Name);
            var spoolDir = WalSpool.For(parse.GetValue(spool)!, session.Repository.Config.Id, source.Name, parse.GetValue(walDirectory)!);
            var pusher = new WalBackgroundPusher(archive, spoolDir, parse.GetValue(walDirectory)!, Math.Max(1, parse.GetValue(processes)), TimeSpan.FromSeconds(parse.GetValue(idle)));
            await pusher.RunAsync(cancellationToken);
            return CommandRunner.Ok;
        });
        return command;
    }

    // Only the name is needed: archiving never connects to the server, so no password is read.
    private static PostgresSettings PickSource(LifeboatSettings settings, string? name) =>
        SourcePicker.Pick<PostgresSettings>(settings, PostgresSection.Declaration, name);

    private static async Task WaitForPusherAsync(
        GlobalOptions options, string file, string? sourceName, PusherSettings pusher, int timeoutSeconds, CancellationToken cancellationToken)
    {
        // The repository's id names the spool, so two repositories never share verdicts; reading it needs no key.
        var settings = SettingsLoader.Load(options.ConfigPath);
        var source = PickSource(settings, sourceName);
        var config = await Lifeboat.Repository.BackupRepository.ReadOpenableConfigAsync(RepositoryAccess.OpenStore(settings.Repository), cancellationToken);
        var walDirectory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var spool = WalSpool.For(pusher.SpoolRoot, config.Id, source.Name, walDirectory);
        var push = new WalAsyncPush(spool, () => StartPusher(options, source.Name, pusher, walDirectory, spool), TimeSpan.FromSeconds(timeoutSeconds));
        await push.WaitAsync(Path.GetFullPath(file), cancellationToken);
    }

    /// <summary>Starts this executable as the background pusher, detached, its output appended to a log in the spool.</summary>
    private static void StartPusher(GlobalOptions options, string sourceName, PusherSettings pusher, string walDirectory, WalSpool spool)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        BackgroundLifeboat.Start(options, Path.Combine(spool.Directory, "pusher.log"),
        [
            "wal-pusher", "--name", sourceName, "--spool-dir", pusher.SpoolRoot, "--processes", pusher.Processes.ToString(invariant),
            "--idle-exit", pusher.IdleExitSeconds.ToString(invariant), walDirectory,
        ]);
    }

    private sealed record PusherSettings(string SpoolRoot, int Processes, int IdleExitSeconds);
}
