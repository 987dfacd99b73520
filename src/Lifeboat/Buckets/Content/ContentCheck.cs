using System.Security.Cryptography;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// Checks a bucket source's content: every catalog segment reads, every indexed content is in the catalog, every pack
/// the catalog names exists and is long enough (one listing of the packs), and, for a share of the packs, every blob
/// opens, hashes to its address and agrees with the pack's own table.
/// </summary>
public sealed class ContentCheck(BackupRepository repository, BucketContentLayout layout)
{
    /// <summary>
    /// Runs the check. <paramref name="referenced"/> are the contents the kept indexes name (with what names them);
    /// <paramref name="readDataShare"/> (0 to 1) is the share of packs read whole.
    /// </summary>
    public async Task<ContentCheckReport> RunAsync(
        IAsyncEnumerable<(string Subject, ContentDigest Sha256)>? referenced, double readDataShare, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(readDataShare, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(readDataShare, 1);
        var problems = new List<ContentProblem>();
        var catalog = await CatalogLoader.LoadAsync(repository, layout, (key, e) => problems.Add(new(key, e.Message)), cancellationToken);
        var packs = await ListPacksAsync(cancellationToken);
        CheckLocations(catalog, packs, problems);
        if (referenced is not null)
        {
            await foreach (var (subject, sha) in referenced.WithCancellation(cancellationToken))
            {
                if (sha != ContentDigest.Empty && !catalog.Contains(sha))
                    problems.Add(new(subject, $"its content {sha} is not in the catalog"));
            }
        }

        var chosen = Choose(packs.Keys, readDataShare);
        foreach (var pack in chosen)
            await ReadPackAsync(pack, packs[pack], catalog, problems, cancellationToken);
        return new ContentCheckReport(catalog.Count, packs.Count, chosen.Count, problems);
    }

    private async Task<Dictionary<string, long>> ListPacksAsync(CancellationToken cancellationToken)
    {
        var packs = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var info in repository.Store.ListAsync(layout.PacksPrefix, cancellationToken))
        {
            if (layout.PackIdOf(info.Key) is { } id)
                packs[id] = info.Size;
        }

        return packs;
    }

    private void CheckLocations(ContentCatalog catalog, Dictionary<string, long> packs, List<ContentProblem> problems)
    {
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var location in catalog.All())
        {
            if (!packs.TryGetValue(location.Pack, out var size))
                missing[location.Pack] = missing.GetValueOrDefault(location.Pack) + 1;
            else if (size < location.End + PackFormat.FooterSize)
                problems.Add(new(layout.PackKey(location.Pack), $"it is {size} bytes long, too short for content {location.Sha256} at {location.Offset}+{location.Stored}"));
        }

        foreach (var (pack, contents) in missing.OrderBy(m => m.Key, StringComparer.Ordinal))
            problems.Add(new(layout.PackKey(pack), $"it is missing, and with it {contents} content{(contents == 1 ? "" : "s")} the catalog places there"));
    }

    /// <summary>A random share of the packs, at least one when the share is above 0, so repeated checks cover them all in time.</summary>
    private static List<string> Choose(IEnumerable<string> packs, double share)
    {
        if (share <= 0)
            return [];
        var all = packs.ToArray();
        var count = (int)Math.Min(all.Length, Math.Ceiling(all.Length * share));
        RandomNumberGenerator.Shuffle(all.AsSpan());
        return [.. all.Take(count).Order(StringComparer.Ordinal)];
    }

    private async Task ReadPackAsync(string pack, long size, ContentCatalog catalog, List<ContentProblem> problems, CancellationToken cancellationToken)
    {
        var key = layout.PackKey(pack);
        List<PackTableEntry> table;
        try
        {
            table = await PackTable.ReadAsync(repository, key, size, cancellationToken);
        }
        catch (LifeboatException e)
        {
            problems.Add(new(key, $"its table cannot be read: {e.Message}"));
            return;
        }

        foreach (var entry in table)
            await CheckBlobAsync(key, pack, entry, catalog, problems, cancellationToken);
    }

    private async Task CheckBlobAsync(string key, string pack, PackTableEntry entry, ContentCatalog catalog, List<ContentProblem> problems, CancellationToken cancellationToken)
    {
        var range = new ByteRange(entry.Offset, entry.Stored);
        var subject = BackupRepository.EmbeddedName(key, range);
        try
        {
            await using var blob = await repository.OpenEnvelopeAsync(key, range, entry.Size, entry.Sha256, cancellationToken);
            await blob.CopyToAsync(Stream.Null, cancellationToken);
        }
        catch (LifeboatException e)
        {
            problems.Add(new(subject, $"content {entry.Sha256} does not read back: {e.Message}"));
            return;
        }

        // A pack of one that lost a race to store the same content is not named by the catalog; that is no damage.
        if (ContentDigest.TryParse(entry.Sha256, out var sha) && catalog.TryFind(sha, out var location) && location.Pack == pack
            && (location.Offset != entry.Offset || location.Stored != entry.Stored || location.Size != entry.Size))
        {
            problems.Add(new(subject, $"the catalog places content {entry.Sha256} at {location.Offset}+{location.Stored}, the pack's table at {entry.Offset}+{entry.Stored}"));
        }
    }
}
