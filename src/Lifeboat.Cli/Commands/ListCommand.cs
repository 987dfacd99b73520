using System.CommandLine;
using Lifeboat.Cli.Output;
using Lifeboat.Cli.Sources;
using Spectre.Console;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat list: every backup whose manifest verifies, then what each source says beyond its backups (a recoverable window).</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var source = new Option<string?>("--source") { Description = $"Only backups of this source type ({string.Join(", ", SourceKinds.All.Select(k => k.Name))})" };
        var name = new Option<string?>("--name") { Description = "Only backups of this source name" };
        var command = new Command("list", "List the backups in the repository, oldest first");
        command.Options.Add(source);
        command.Options.Add(name);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            if (parse.GetValue(source) is { } sourceType)
                SourceKinds.Find(sourceType);
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var all = await session.Repository.ListBackupsAsync(
                parse.GetValue(source),
                parse.GetValue(source) is null ? null : parse.GetValue(name),
                (key, error) => Console.Error.WriteLine($"lifeboat: warning: {key} is not a valid manifest and was skipped: {error.Message}"),
                cancellationToken);
            var shownManifests = all
                .Where(m => parse.GetValue(source) is not { } s || m.Source == s)
                .Where(m => parse.GetValue(name) is not { } n || m.Name == n)
                .ToList();
            var shown = shownManifests.Select(m => BackupSummary.Of(m, SummaryFieldsOrWarn(m)) with { KindDetail = KindDetail(m) }).ToList();
            var listings = await SourceListingsAsync(session, shownManifests, parse.GetValue(source), parse.GetValue(name), cancellationToken);
            if (options.Json)
            {
                AddFields(shown, listings);
                CliJson.Print(shown, CliJson.Default.ListBackupSummary);
                return CommandRunner.Ok;
            }

            if (shown.Count == 0 && (parse.GetValue(source) is not null || parse.GetValue(name) is not null))
            {
                // "no backups yet" would be wrong in a repository that holds backups of other sources.
                Console.WriteLine(NoneMatching(parse.GetValue(source), parse.GetValue(name), all.Count));
                PrintListings(listings);
                return CommandRunner.Ok;
            }

            PrintTable(shown);
            PrintListings(listings);
            return CommandRunner.Ok;
        });
        return command;
    }

    private static string NoneMatching(string? source, string? name, int listed)
    {
        var what = (source, name) switch
        {
            (null, _) => $"named '{name}'",
            (_, null) => $"of source type {source}",
            _ => $"of {source}/{name}",
        };
        // Without --source every backup was listed, so the others can be counted; with it only that source's folder was.
        return source is null && listed > 0
            ? $"no backups {what}; the repository holds {listed} other backup(s) (see 'lifeboat list')"
            : $"no backups {what}";
    }

    // One manifest's damaged details must not stop the listing of all the others; 'check' reports them too.
    private static Dictionary<string, System.Text.Json.JsonElement> SummaryFieldsOrWarn(Lifeboat.Repository.BackupManifest manifest)
    {
        var (fields, problem) = SourceKinds.Summarise(manifest);
        if (problem is not null)
            Console.Error.WriteLine($"lifeboat: warning: backup {manifest.Id} is listed without its {manifest.Source} details: {problem}");
        return fields;
    }

    private static string? KindDetail(Lifeboat.Repository.BackupManifest manifest) =>
        SourceKinds.All.FirstOrDefault(k => k.Name == manifest.Source)?.KindDetail?.Invoke(manifest);

    // What each kind says of its sources beyond their backups (PostgreSQL: the recoverable window), for the kinds shown.
    private static async Task<List<SourceListing>> SourceListingsAsync(
        RepositorySession session, List<Lifeboat.Repository.BackupManifest> shown, string? source, string? name, CancellationToken cancellationToken)
    {
        var listings = new List<SourceListing>();
        foreach (var kind in SourceKinds.All.Where(k => k.Listing is not null && (source is null || k.Name == source)))
        {
            var request = new SourceListingRequest(session.Repository, session.Settings, [.. shown.Where(m => m.Source == kind.Name)], name);
            listings.AddRange(await kind.Listing!(request, cancellationToken));
        }

        return listings;
    }

    private static void AddFields(List<BackupSummary> shown, List<SourceListing> listings)
    {
        foreach (var summary in shown)
        {
            foreach (var listing in listings.Where(l => l.Source == summary.Source && l.Name == summary.Name))
            {
                if (!listing.FieldsByBackup.TryGetValue(summary.Id, out var fields))
                    continue;
                summary.SourceFields ??= [];
                foreach (var (key, value) in fields)
                    summary.SourceFields[key] = value;
            }
        }
    }

    // After the totals: what an operator recovering to a moment needs first is how far back and how recent it can go.
    private static void PrintListings(List<SourceListing> listings)
    {
        foreach (var line in listings.SelectMany(l => l.Lines))
            Console.WriteLine(line);
    }

    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss";

    private static void PrintTable(List<BackupSummary> backups)
    {
        if (backups.Count == 0)
        {
            Console.WriteLine("no backups yet");
            return;
        }

        var now = DateTimeOffset.UtcNow;
        TableOutput.Write(BackupsTable(backups, now));
        PrintTotals(SourceTotals.Of(backups), now);
    }

    /// <summary>One row per backup; <paramref name="now"/> is what their ages are counted to.</summary>
    internal static Table BackupsTable(IReadOnlyList<BackupSummary> backups, DateTimeOffset now)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("ID", "SOURCE", "KIND", "STARTED (UTC)", "AGE", "DURATION", "SIZE", "STORED");
        // An id is copied into other commands: on a narrow terminal the other columns wrap, never the id.
        table.Columns[0].NoWrap();
        foreach (var b in backups)
        {
            table.AddRow(
                b.Id,
                $"{b.Source}/{b.Name}",
                b.KindDetail is { } detail ? $"{b.Kind} ({detail})" : b.Kind,
                Time(b.StartedAt),
                AgeText.Between(b.StartedAt, now),
                $"{(b.FinishedAt - b.StartedAt).TotalSeconds:0.0} s",
                ByteSize.Format(b.SizeBytes),
                ByteSize.Format(b.StoredBytes));
        }

        return table;
    }

    // After the backups, so the lines an operator looks at first (how fresh is the newest?) end the output.
    private static void PrintTotals(IReadOnlyList<SourceTotals> totals, DateTimeOffset now)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("SOURCE", "BACKUPS", "OLDEST (UTC)", "NEWEST (UTC)", "STORED");
        table.Columns[1].RightAligned();
        table.Columns[4].RightAligned();
        foreach (var t in totals)
        {
            table.AddRow(
                $"{t.Source}/{t.Name}",
                t.Backups.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{Time(t.Oldest)} ({AgeText.Between(t.Oldest, now)})",
                $"{Time(t.Newest)} ({AgeText.Between(t.Newest, now)})",
                ByteSize.Format(t.StoredBytes));
        }

        TableOutput.Write(table);
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, System.Globalization.CultureInfo.InvariantCulture);
}
