using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Lifeboat.Cli.Output;
using Lifeboat.Cli.Sources;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat show: everything one backup recorded, the common part and its source's own details.</summary>
internal static class ShowCommand
{
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss.fff 'UTC'";

    public static Command Create()
    {
        var id = new Argument<string>("ID") { Description = "Backup id (whole, a unique prefix, or a unique prefix of its last 8 characters), or 'latest' for the newest backup" };
        var source = new Option<string?>("--source") { Description = $"Only backups of this source type ({string.Join(", ", SourceKinds.All.Select(k => k.Name))})" };
        var name = new Option<string?>("--name") { Description = "Only backups of this source name" };
        var command = new Command("show", "Show everything a backup recorded: times, sizes, its objects and their hashes, and its source's details (versions, row counts)");
        command.Arguments.Add(id);
        command.Options.Add(source);
        command.Options.Add(name);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            var sourceType = SourceTypeOf(parse.GetValue(source), parse.GetValue(name));
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            // No lock, as 'list' takes none: it reads one manifest, which is there whole or not at all (a prune that removes
            // it first makes this "no such backup"). A lock is a write: read-only credentials, or a stale exclusive lock
            // left by another command, would stop a command that only looks.
            var manifest = await session.Repository.FindBackupAsync(sourceType, parse.GetValue(name), parse.GetValue(id)!, cancellationToken);
            var (details, problem) = Describe(manifest);
            if (options.Json)
                CliJson.Print(manifest, CliJson.Default.BackupManifest);
            else
                Print(manifest, details, problem, DateTimeOffset.UtcNow);
            if (problem is null)
                return CommandRunner.Ok;
            // The record itself was shown; what is wrong is the repository's health, as 'check' reports it.
            Console.Error.WriteLine(CommandRunner.ErrorLine(problem));
            return (int)FailureKind.Unhealthy;
        });
        return command;
    }

    /// <summary>
    /// The source type to look in: the one given, or with only --name the single kind registered. The repository
    /// files backups under type then name, so a name alone cannot narrow a lookup across types.
    /// </summary>
    private static string? SourceTypeOf(string? source, string? name)
    {
        if (source is not null)
            return SourceKinds.Find(source).Name;
        if (name is null)
            return null;
        if (SourceKinds.All.Count == 1)
            return SourceKinds.All[0].Name;
        throw new LifeboatException(
            $"--name '{name}' needs --source: backups of several source types may bear that name",
            $"add --source ({string.Join(", ", SourceKinds.All.Select(k => k.Name))})", FailureKind.Usage);
    }

    /// <summary>The source's account of the backup: its sections, or none when this build does not know the kind, or what is wrong with them.</summary>
    private static (IReadOnlyList<DetailSection>? Sections, DamagedRecordException? Problem) Describe(BackupManifest manifest)
    {
        try
        {
            return (SourceKinds.All.FirstOrDefault(k => k.Name == manifest.Source)?.DescribeDetails(manifest), null);
        }
        catch (DamagedRecordException e)
        {
            return (null, e);
        }
    }

    private static void Print(BackupManifest manifest, IReadOnlyList<DetailSection>? details, DamagedRecordException? problem, DateTimeOffset now)
    {
        DetailSectionWriter.Write(Console.Out, [Backup(manifest, now), Objects(manifest.Objects), .. details ?? []]);
        if (details is not null)
            return;
        Console.WriteLine();
        Console.WriteLine($"{manifest.Source} details");
        if (problem is not null)
            Console.WriteLine($"  cannot be read: {problem.Message}");
        else
            WriteUnknown(manifest);
    }

    private static DetailSection Backup(BackupManifest m, DateTimeOffset now) => DetailSection.Facts(
        $"backup {m.Id}",
        ("source", $"{m.Source}/{m.Name}"),
        ("kind", m.Kind),
        ("started", $"{Time(m.StartedAt)} ({AgeText.Between(m.StartedAt, now)} ago)"),
        ("finished", Time(m.FinishedAt)),
        ("duration", string.Create(CultureInfo.InvariantCulture, $"{(m.FinishedAt - m.StartedAt).TotalSeconds:0.0} s")),
        ("host", m.Host.Length == 0 ? "not recorded" : m.Host),
        ("lifeboat", m.LifeboatVersion.Length == 0 ? "not recorded" : m.LifeboatVersion),
        ("size", Bytes(m.SizeBytes)),
        ("stored", Bytes(m.StoredBytes)));

    private static DetailSection Objects(IReadOnlyList<StoredObject> objects) => new(
        $"objects ({objects.Count})",
        [new("KEY"), new("ROLE"), new("SIZE", Numeric: true), new("STORED", Numeric: true), new("SHA-256")],
        [.. objects.Select(o => (IReadOnlyList<string>)[o.Key, o.Role, ByteSize.Format(o.SizeBytes), ByteSize.Format(o.StoredBytes), o.Sha256])]);

    // A backup taken by a newer build, or of a source this one lacks: what it recorded is still worth seeing.
    private static void WriteUnknown(BackupManifest manifest)
    {
        Console.WriteLine($"  this lifeboat ({LifeboatInfo.Version}) does not know {manifest.Source} {manifest.Kind} backups; they record:");
        if (manifest.Details is not { } details)
        {
            Console.WriteLine("  nothing");
            return;
        }

        foreach (var line in Indented(details).Split('\n'))
            Console.WriteLine($"  {line}");
    }

    private static string Indented(JsonElement json)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
            json.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{ByteSize.Format(bytes)} ({bytes} bytes)");
}
