using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Content;

/// <summary>Loads every catalog segment of a source into one <see cref="ContentCatalog"/>, a few segments at a time.</summary>
public static class CatalogLoader
{
    private const int ReadsAtOnce = 8;

    /// <summary>
    /// Reads the catalog of <paramref name="layout"/>'s source. A damaged segment goes to <paramref name="onDamaged"/>
    /// and is left out (a backup then stores its contents again); without a callback it fails the load.
    /// </summary>
    public static async Task<ContentCatalog> LoadAsync(
        BackupRepository repository, BucketContentLayout layout, Action<string, LifeboatException>? onDamaged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(layout);
        var keys = new List<string>();
        await foreach (var info in repository.Store.ListAsync(layout.CatalogPrefix, cancellationToken))
            keys.Add(info.Key);

        var builder = new Builder();
        var options = new ParallelOptions { MaxDegreeOfParallelism = ReadsAtOnce, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(keys, options, async (key, ct) =>
        {
            try
            {
                var lines = JsonLines.Parse(await repository.ReadEncryptedAsync(key, ct), BucketContentJson.Default.CatalogLine, key);
                builder.Add(key, lines);
            }
            catch (LifeboatException e) when (onDamaged is not null && IsDamage(e))
            {
                onDamaged(key, e);
            }
        });
        return builder.Build();
    }

    // A segment gone since the listing was removed by a prune that replaced it; that is no damage, but its lines are gone too.
    private static bool IsDamage(LifeboatException e) => e is EnvelopeCorruptException or DamagedRecordException or ObjectNotFoundException;

    /// <summary>Collects segments' lines as 64-byte entries, each pack id kept once.</summary>
    private sealed class Builder
    {
        private readonly Lock _gate = new();
        private readonly List<CatalogEntry> _entries = [];
        private readonly List<string> _packs = [];
        private readonly Dictionary<string, int> _packIndex = new(StringComparer.Ordinal);

        public void Add(string key, List<CatalogLine> lines)
        {
            // Parsed outside the lock; a bad line makes the whole segment damaged before any of it counts.
            var parsed = lines.Select(line => (Line: line, Sha: ParseValid(line, key))).ToList();
            lock (_gate)
            {
                foreach (var (line, sha) in parsed)
                    _entries.Add(new CatalogEntry(sha, line.Size, PackIndex(line.Pack), (uint)line.Offset, line.Stored, CatalogEntry.HintOf(line.Etag)));
            }
        }

        public ContentCatalog Build()
        {
            var sorted = _entries.ToArray();
            Array.Sort(sorted, ContentCatalog.ByDigest.Instance);
            var distinct = 0;
            for (var i = 0; i < sorted.Length; i++)
            {
                // The same content in two segments (an interrupted run's and the run that stored it again): either copy serves.
                if (distinct == 0 || sorted[distinct - 1].Sha256 != sorted[i].Sha256)
                    sorted[distinct++] = sorted[i];
            }

            return new ContentCatalog(sorted[..distinct], [.. _packs]);
        }

        private int PackIndex(string pack)
        {
            if (_packIndex.TryGetValue(pack, out var index))
                return index;
            _packs.Add(pack);
            return _packIndex[pack] = _packs.Count - 1;
        }

        private static ContentDigest ParseValid(CatalogLine line, string key)
        {
            if (!ContentDigest.TryParse(line.Sha256, out var sha) || line.Pack is not { Length: 32 }
                || line.Size < 0 || line.Offset is < 0 or > uint.MaxValue || line.Stored <= 0)
            {
                throw new DamagedRecordException($"catalog segment '{key}' has a line that names no valid content location (sha {line.Sha256}, pack {line.Pack})", "the segment was written by a faulty writer")
                {
                    Remedy = new(RemedyAction.CheckRepository),
                };
            }

            return sha;
        }
    }
}
