using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Format;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>lifeboat wal-fetch: PostgreSQL's restore_command, with exit codes recovery can act on and a prefetcher ahead of it.</summary>
internal static class WalFetchCommand
{
    /// <summary>The archive has no such file: recovery takes it as the end of the archived WAL.</summary>
    public const int NotInArchive = 1;

    /// <summary>The archived file is damaged. Above 125, so PostgreSQL stops recovery instead of ending it early.</summary>
    public const int Damaged = 126;

    /// <summary>Anything else (repository unreachable, wrong key, bad configuration, a command line that does not parse): also stops recovery, never ends it.</summary>
    public const int Failed = 127;

    /// <summary>Where prefetched segments wait unless told otherwise: beside DEST (pg_wal), so that handing one over is a rename.</summary>
    public const string DefaultSpoolName = ".lifeboat-prefetch";

    /// <summary>
    /// PostgreSQL reads restore_command's 1 as the end of the archive and any code above 125 as fatal: only a missing file
    /// may exit 1, and every failure, even a usage error (2 would read as "no such file"), stops recovery.
    /// </summary>
    internal static ExitPolicy Exits { get; } = new()
    {
        Otherwise = Failed,
        Rules =
        [
            // Asked for files beyond the end of the archive as a matter of course: not an error, one quiet line.
            new(failure => failure is WalFileMissingException, NotInArchive, IsNotice: true),
            new(failure => failure is EnvelopeCorruptException or DamagedRecordException, Damaged),
        ],
    };

    public static Command Create()
    {
        var name = CommonOptions.SourceName("postgres");
        var file = new Argument<string>("NAME") { Description = "The WAL file recovery asks for (%f)" };
        var destination = new Argument<string>("DEST") { Description = "Where recovery wants it (%p)" };
        var prefetch = new PrefetchOptions();
        var command = new Command(
            "wal-fetch",
            "Fetch one archived WAL file: restore_command = 'lifeboat wal-fetch %f %p'. Exits 0 with the file in place, 1 when the archive has none, 126 when it is damaged and 127 on any other failure (both stop recovery)");
        command.Options.Add(name);
        prefetch.AddTo(command);
        command.Arguments.Add(file);
        command.Arguments.Add(destination);
        command.SetBody(
            async (parse, options, cancellationToken) =>
            {
                var settings = SettingsLoader.Load(options.ConfigPath);
                // Only the name is needed: recovery never connects to a server, so no password is read.
                var source = SourcePicker.Pick<PostgresSettings>(settings, PostgresSection.Declaration, parse.GetValue(name));
                var fileName = parse.GetValue(file)!;
                var target = parse.GetValue(destination)!;
                var ahead = prefetch.From(parse);
                if (ahead.Settings.Ahead <= 0)
                {
                    await FetchDirectlyAsync(settings, source.Name, fileName, target, cancellationToken);
                    return CommandRunner.Ok;
                }

                var destinationDirectory = Path.GetDirectoryName(Path.GetFullPath(target))!;
                var spoolRoot = Path.GetFullPath(ahead.SpoolRoot ?? Path.Combine(destinationDirectory, DefaultSpoolName));
                var spool = WalPrefetchSpool.For(spoolRoot, RepositoryName(settings.Repository), source.Name, destinationDirectory);
                var fetch = new WalPrefetchingFetch(
                    spool,
                    (fetchName, fetchTarget, token) => FetchDirectlyAsync(settings, source.Name, fetchName, fetchTarget, token),
                    () => StartPrefetcher(options, source.Name, ahead.Settings, spoolRoot, destinationDirectory, spool),
                    warning => Console.Error.WriteLine($"lifeboat: warning: {warning}"));
                var from = await fetch.FetchAsync(fileName, target, cancellationToken);
                if (options.Verbose)
                    Console.Error.WriteLine($"lifeboat: {fileName} {(from == WalFetchSource.Prefetched ? "was prefetched" : "came from the archive")}");
                return CommandRunner.Ok;
            },
            exits: Exits);
        return command;
    }

    /// <summary>The hidden command the foreground starts: the background prefetcher itself.</summary>
    public static Command CreatePrefetcher()
    {
        var name = CommonOptions.SourceName("postgres");
        var destinationDirectory = new Argument<string>("DESTDIR");
        var prefetch = new PrefetchOptions();
        var command = new Command("wal-prefetcher", "The background prefetcher of 'wal-fetch' (started by it)") { Hidden = true };
        command.Options.Add(name);
        prefetch.AddTo(command);
        command.Arguments.Add(destinationDirectory);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            // The key is derived once here, for every segment this process fetches (a passphrase's Argon2 included).
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = SourcePicker.Pick<PostgresSettings>(session.Settings, PostgresSection.Declaration, parse.GetValue(name));
            var directory = Path.GetFullPath(parse.GetValue(destinationDirectory)!);
            var ahead = prefetch.From(parse);
            var spool = WalPrefetchSpool.For(ahead.SpoolRoot ?? Path.Combine(directory, DefaultSpoolName), RepositoryName(session.Settings.Repository), source.Name, directory);
            var settings = ahead.Settings with { Ahead = Math.Max(1, ahead.Settings.Ahead), Parallel = Math.Max(1, ahead.Settings.Parallel) };
            await new WalPrefetcher(new WalArchive(session.Repository, source.Name), spool, settings).RunAsync(cancellationToken);
            return CommandRunner.Ok;
        });
        return command;
    }

    private static async Task FetchDirectlyAsync(LifeboatSettings settings, string sourceName, string fileName, string destination, CancellationToken cancellationToken)
    {
        await using var repository = await RepositoryAccess.OpenAsync(settings, cancellationToken);
        await new WalArchive(repository, sourceName).FetchAsync(fileName, destination, cancellationToken);
    }

    /// <summary>
    /// Names the repository in the spool's name, so that two repositories never share segments: by where it is (an S3
    /// URL with its endpoint, a local directory made absolute), hashed. Not by its id, which would cost a read of its
    /// configuration per call, a round trip per segment on S3. A repository created anew at the same place shares the
    /// name, which is safe: only a running prefetcher's segments are handed over, each checked against the identity
    /// of the archive it read when it started.
    /// </summary>
    internal static string RepositoryName(RepositorySettings repository)
    {
        var where = repository.Url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)
            ? $"{repository.Url.TrimEnd('/')} at {repository.S3.Endpoint ?? repository.S3.Region}"
            : Path.GetFullPath(repository.Url.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(repository.Url).LocalPath : repository.Url);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.TrimEndingDirectorySeparator(where))))[..16];
    }

    private static void StartPrefetcher(
        GlobalOptions options, string sourceName, WalPrefetchSettings settings, string spoolRoot, string destinationDirectory, WalPrefetchSpool spool)
    {
        var invariant = CultureInfo.InvariantCulture;
        BackgroundLifeboat.Start(options, spool.LogPath,
        [
            "wal-prefetcher", "--name", sourceName, "--spool-dir", spoolRoot, "--prefetch", settings.Ahead.ToString(invariant),
            "--processes", settings.Parallel.ToString(invariant), "--idle-exit", ((int)settings.IdleExit.TotalSeconds).ToString(invariant), destinationDirectory,
        ]);
    }

    /// <summary>The prefetch options wal-fetch takes and hands on to the prefetcher it starts.</summary>
    private sealed class PrefetchOptions
    {
        private readonly Option<int> _ahead = new("--prefetch")
        {
            Description = "Segments a background prefetcher fetches ahead of recovery into the spool (0: none)",
            DefaultValueFactory = _ => 8,
        };

        private readonly Option<int> _processes = new("--processes") { Description = "Segments the prefetcher fetches at once", DefaultValueFactory = _ => 2 };

        private readonly Option<string?> _spool = new("--spool-dir")
        {
            Description = $"Where prefetched segments wait (local, private to this user); by default {DefaultSpoolName} beside DEST",
        };

        private readonly Option<int> _idle = new("--idle-exit")
        {
            Description = "Seconds the prefetcher stays without a request before it empties the spool and exits",
            DefaultValueFactory = _ => 10,
        };

        public void AddTo(Command command)
        {
            command.Options.Add(_ahead);
            command.Options.Add(_processes);
            command.Options.Add(_spool);
            command.Options.Add(_idle);
        }

        public (WalPrefetchSettings Settings, string? SpoolRoot) From(ParseResult parse) =>
            (new WalPrefetchSettings(parse.GetValue(_ahead), Math.Max(1, parse.GetValue(_processes)), TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(_idle)))), parse.GetValue(_spool));
    }
}
