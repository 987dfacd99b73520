using System.Diagnostics.CodeAnalysis;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// Which contents the repository holds and where: the catalog segments of every run, loaded into one sorted array,
/// plus what this run added since. Dedup asks it, so the same bytes under two keys or in two runs are stored once
/// without a request per object. Safe to use from many tasks at once.
/// </summary>
public sealed class ContentCatalog
{
    private readonly CatalogEntry[] _loaded;
    private readonly string[] _packs;

    // Only contents stored as packs of one can be found by a hint: a small content is cheaper to read than to look up.
    private readonly Dictionary<(long Size, ulong Etag), int> _loadedHints = [];
    private readonly Dictionary<ContentDigest, ContentLocation> _added = [];
    private readonly Dictionary<(long Size, ulong Etag), ContentDigest> _addedHints = [];
    private readonly Lock _gate = new();

    /// <summary>A catalog of <paramref name="sorted"/> (distinct, ascending by sha) whose pack indexes point into <paramref name="packs"/>.</summary>
    internal ContentCatalog(CatalogEntry[] sorted, string[] packs)
    {
        _loaded = sorted;
        _packs = packs;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (sorted[i].Size >= PackFormat.LargeFrom && sorted[i].EtagHint != 0)
                _loadedHints.TryAdd((sorted[i].Size, sorted[i].EtagHint), i);
        }
    }

    /// <summary>A catalog of a repository that holds no content of this source yet.</summary>
    public static ContentCatalog Empty() => new([], []);

    /// <summary>How many contents it knows.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _loaded.Length + _added.Count;
        }
    }

    /// <summary>Where <paramref name="sha"/> lies, when the repository holds it.</summary>
    public bool TryFind(ContentDigest sha, [NotNullWhen(true)] out ContentLocation? location)
    {
        var index = Array.BinarySearch(_loaded, new CatalogEntry(sha, 0, 0, 0, 0, 0), ByDigest.Instance);
        if (index >= 0)
        {
            location = LocationOf(_loaded[index]);
            return true;
        }

        lock (_gate)
            return _added.TryGetValue(sha, out location);
    }

    /// <summary>True when the repository holds <paramref name="sha"/>.</summary>
    public bool Contains(ContentDigest sha) => TryFind(sha, out _);

    /// <summary>
    /// A content first stored from a source object of this size and ETag, or null. Only a hint: the caller hashes
    /// what it reads before it takes the content for the same.
    /// </summary>
    public ContentDigest? FindByHint(long size, string? etag)
    {
        var hint = CatalogEntry.HintOf(etag);
        if (hint == 0)
            return null;
        if (_loadedHints.TryGetValue((size, hint), out var index))
            return _loaded[index].Sha256;
        lock (_gate)
            return _addedHints.TryGetValue((size, hint), out var sha) ? sha : null;
    }

    /// <summary>Records a content this run stored; false (and nothing changes) when the catalog knows it already.</summary>
    public bool TryAdd(ContentLocation location, string? etag)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (Array.BinarySearch(_loaded, new CatalogEntry(location.Sha256, 0, 0, 0, 0, 0), ByDigest.Instance) >= 0)
            return false;
        lock (_gate)
        {
            if (!_added.TryAdd(location.Sha256, location))
                return false;
            var hint = CatalogEntry.HintOf(etag);
            if (hint != 0 && location.Size >= PackFormat.LargeFrom)
                _addedHints.TryAdd((location.Size, hint), location.Sha256);
            return true;
        }
    }

    /// <summary>Every content it knows, loaded ones in sha order, then this run's.</summary>
    public IEnumerable<ContentLocation> All()
    {
        foreach (var entry in _loaded)
            yield return LocationOf(entry);
        ContentLocation[] added;
        lock (_gate)
            added = [.. _added.Values];
        foreach (var location in added)
            yield return location;
    }

    private ContentLocation LocationOf(CatalogEntry entry) =>
        new(entry.Sha256, entry.Size, _packs[entry.Pack], entry.Offset, entry.Stored);

    /// <summary>Orders entries by sha alone.</summary>
    internal sealed class ByDigest : IComparer<CatalogEntry>
    {
        public static ByDigest Instance { get; } = new();

        public int Compare(CatalogEntry x, CatalogEntry y) => x.Sha256.CompareTo(y.Sha256);
    }
}
