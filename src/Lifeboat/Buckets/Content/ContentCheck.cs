using System.Security.Cryptography;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// Checks a bucket source's content: every catalog segment reads, every indexed content is in the catalog with the
/// size the index records, every pack the catalog names exists and is long enough (one listing of the packs), and,
/// for a share of the packs, every blob of the pack's table and every place the catalog names in the pack opens,
/// hashes to its address, and the table and the catalog agree on it.
/// </summary>
public sealed class ContentCheck(BackupRepository repository, BucketContentLayout layout)
{
    /// <summary>
    /// Runs the check. <paramref name="referenced"/> are the contents the kept indexes name (with what names them and
    /// the size recorded for them); <paramref name="readDataShare"/> (0 to 1) is the share of packs read whole.
    /// </summary>
    public async Task<ContentCheckReport> RunAsync(
        IAsyncEnumerable<(string Subject, ContentDigest Sha256, long Size)>? referenced, double readDataShare, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(readDataShare, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(readDataShare, 1);
        var problems = new List<ContentProblem>();
        var catalog = await CatalogLoader.LoadAsync(repository, layout, (key, e) => problems.Add(new(key, e.Message)), cancellationToken);
        var packs = await ListPacksAsync(cancellationToken);
        var chosen = Choose(packs.Keys, readDataShare);
        var placed = CheckLocations(catalog, packs, chosen, problems);
        if (referenced is not null)
        {
            await foreach (var (subject, sha, size) in referenced.WithCancellation(cancellationToken))
                CheckReferenced(catalog, subject, sha, size, problems);
        }

        foreach (var pack in chosen)
            await ReadPackAsync(pack, packs[pack], placed[pack], problems, cancellationToken);
        return new ContentCheckReport(catalog.Count, packs.Count, chosen.Count, problems);
    }

    // A restore refuses a content whose catalog size is not the recorded one, so check says so first.
    private static void CheckReferenced(ContentCatalog catalog, string subject, ContentDigest sha, long size, List<ContentProblem> problems)
    {
        if (sha == ContentDigest.Empty && size == 0)
            return;
        if (!catalog.TryFind(sha, out var location))
            problems.Add(new(subject, $"its content {sha} is not in the catalog"));
        else if (location.Size != size)
            problems.Add(new(subject, $"its content {sha} is {location.Size} bytes in the catalog, but {size} bytes are recorded for it"));
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

    // Also collects where the catalog places contents in the packs to be read: about 60 bytes a content, only with
    // --read-data, which reads every one of them anyway.
    private Dictionary<string, List<ContentLocation>> CheckLocations(
        ContentCatalog catalog, Dictionary<string, long> packs, List<string> chosen, List<ContentProblem> problems)
    {
        var placed = chosen.ToDictionary(pack => pack, _ => new List<ContentLocation>(), StringComparer.Ordinal);
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var location in catalog.All())
        {
            if (!packs.TryGetValue(location.Pack, out var size))
                missing[location.Pack] = missing.GetValueOrDefault(location.Pack) + 1;
            else if (size < location.End + PackFormat.FooterSize)
                problems.Add(new(layout.PackKey(location.Pack), $"it is {size} bytes long, too short for content {location.Sha256} at {location.Offset}+{location.Stored}"));
            else if (placed.TryGetValue(location.Pack, out var inPack))
                inPack.Add(location);
        }

        foreach (var (pack, contents) in missing.OrderBy(m => m.Key, StringComparer.Ordinal))
            problems.Add(new(layout.PackKey(pack), $"it is missing, and with it {contents} content{(contents == 1 ? "" : "s")} the catalog places there"));
        return placed;
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

    private async Task ReadPackAsync(string pack, long size, List<ContentLocation> placed, List<ContentProblem> problems, CancellationToken cancellationToken)
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

        var byOffset = new Dictionary<long, PackTableEntry>();
        foreach (var entry in table)
        {
            byOffset.TryAdd(entry.Offset, entry);
            await CheckBlobAsync(key, entry.Sha256, entry.Size, new ByteRange(entry.Offset, entry.Stored), problems, cancellationToken);
        }

        // What a restore reads is where the catalog says: each such place must be a blob of the table holding that
        // content. A content the table lists but the catalog places elsewhere (a pack of one that lost a race to store
        // the same content) is no damage.
        foreach (var location in placed)
        {
            var subject = BackupRepository.EmbeddedName(key, new ByteRange(location.Offset, location.Stored));
            if (!byOffset.TryGetValue(location.Offset, out var entry))
            {
                problems.Add(new(subject, $"the catalog places content {location.Sha256} there, where the pack's table lists no blob"));
                await CheckBlobAsync(key, location.Sha256.ToString(), location.Size, new ByteRange(location.Offset, location.Stored), problems, cancellationToken);
            }
            else if (entry.Sha256 != location.Sha256.ToString() || entry.Stored != location.Stored || entry.Size != location.Size)
            {
                problems.Add(new(
                    subject,
                    $"the catalog places content {location.Sha256} ({location.Size} bytes) at {location.Offset}+{location.Stored}, "
                    + $"the pack's table lists content {entry.Sha256} ({entry.Size} bytes) at {entry.Offset}+{entry.Stored}"));
            }
        }
    }

    private async Task CheckBlobAsync(string key, string sha, long contentSize, ByteRange range, List<ContentProblem> problems, CancellationToken cancellationToken)
    {
        try
        {
            await using var blob = await repository.OpenEnvelopeAsync(key, range, contentSize, sha, cancellationToken);
            await blob.CopyToAsync(Stream.Null, cancellationToken);
        }
        catch (LifeboatException e)
        {
            problems.Add(new(BackupRepository.EmbeddedName(key, range), $"content {sha} does not read back: {e.Message}"));
        }
    }
}
