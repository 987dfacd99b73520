using System.Text.Json;
using Lifeboat.Cli.Configuration;
using Lifeboat.Postgres;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>What 'list' says of each PostgreSQL source with a WAL archive or a base backup: its recoverable window and the archive's size.</summary>
internal static class PostgresWindowListing
{
    /// <summary>One listing per source among the backups shown and the configured ones (as 'list --name' narrows them).</summary>
    public static async Task<IReadOnlyList<SourceListing>> ListAsync(SourceListingRequest request, CancellationToken cancellationToken)
    {
        var listings = new List<SourceListing>();
        foreach (var name in Names(request))
        {
            if (await ListOneAsync(request, name, cancellationToken) is { } listing)
                listings.Add(listing);
        }

        return listings;
    }

    private static IEnumerable<string> Names(SourceListingRequest request) =>
        request.Backups.Select(b => b.Name)
            .Concat(request.Settings.SourcesOf<PostgresSettings>().Select(s => s.Name))
            .Where(n => request.Name is null || n == request.Name)
            .Distinct()
            .Order(StringComparer.Ordinal);

    private static async Task<SourceListing?> ListOneAsync(SourceListingRequest request, string name, CancellationToken cancellationToken)
    {
        try
        {
            var overview = await WalArchiveOverview.LoadAsync(request.Repository, name, request.Backups, cancellationToken);
            if (overview is null)
                return null;
            var window = await overview.WindowAsync(cancellationToken);
            var fields = window is null
                ? new Dictionary<string, Dictionary<string, JsonElement>>()
                : overview.Backups.ToDictionary(b => b.Id, _ => WindowField(window, overview));
            return new SourceListing(PostgresDumpBackup.SourceType, name, RecoverableWindowText.Lines(name, window, overview.SegmentCount, overview.Contents.StoredBytes), fields);
        }
        catch (LifeboatException e)
        {
            // One archive that does not read must not hide the backups listed above it; 'check' says more.
            return new SourceListing(PostgresDumpBackup.SourceType, name, [$"postgres/{name}: the recoverable window is unknown: {e.Message}"], new Dictionary<string, Dictionary<string, JsonElement>>());
        }
    }

    private static Dictionary<string, JsonElement> WindowField(RecoverableWindow window, WalArchiveOverview overview) => new()
    {
        ["recoverableWindow"] = JsonSerializer.SerializeToElement(RecoverableWindowSummary.Of(window, overview.SegmentCount, overview.Contents.StoredBytes), PostgresWindowJson.Default.RecoverableWindowSummary),
    };
}
