using System.Runtime.CompilerServices;
using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Index;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Check;

/// <summary>
/// Checks what one bucket source's snapshots need beyond their manifests' own objects (design §6): every kept root and
/// index segment parses and is in key order, every content a record names is in the catalog with the record's size,
/// every pack the catalog names exists and is long enough, and, for a share of the packs, every blob and every place
/// the catalog names reads back, hashes to its address, and the pack's table and the catalog agree on it. Roots and
/// segments that many snapshots share are read once.
/// </summary>
public sealed class BucketCheck
{
    private readonly BackupRepository _repository;
    private readonly BucketIndexLayout _layout;
    private readonly SnapshotIndexReader _reader;

    /// <summary>A check of the bucket source <paramref name="name"/> in <paramref name="repository"/>.</summary>
    public BucketCheck(BackupRepository repository, string name)
    {
        ArgumentNullException.ThrowIfNull(repository);
        RepositoryLayout.ValidateSourceName(name);
        _repository = repository;
        _layout = new BucketIndexLayout(name);
        _reader = new SnapshotIndexReader(repository, _layout);
    }

    /// <summary>
    /// Checks <paramref name="snapshots"/> (the source's snapshot manifests) and the source's content;
    /// <paramref name="readDataShare"/> (0 to 1) is the share of packs read whole.
    /// </summary>
    public async Task<BucketCheckReport> RunAsync(IReadOnlyList<BackupManifest> snapshots, double readDataShare, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        var tally = new Tally();
        var roots = await OpenRootsAsync(snapshots, tally, cancellationToken);
        var segments = SegmentsOf(roots);
        var content = await new ContentCheck(_repository, new BucketContentLayout(_layout.Name))
            .RunAsync(ReferencedAsync(segments, tally, cancellationToken), readDataShare, cancellationToken);
        return new BucketCheckReport(snapshots.Count, roots.Count, segments.Count, tally.Records, content, [.. tally.Problems, .. content.Problems]);
    }

    /// <summary>Each distinct root the snapshots name, read and its table checked, with the snapshots that name it (newest first).</summary>
    private async Task<List<RootUse>> OpenRootsAsync(IReadOnlyList<BackupManifest> snapshots, Tally tally, CancellationToken cancellationToken)
    {
        var roots = new List<RootUse>();
        foreach (var group in snapshots.OrderByDescending(m => m.StartedAt).ThenByDescending(m => m.Id, StringComparer.Ordinal)
                     .GroupBy(m => m.Objects.FirstOrDefault(o => o.Role == BucketIndexLayout.RootRole)?.Key))
        {
            var ids = group.Select(m => m.Id).ToList();
            var newest = group.First();
            if (group.Key is null)
            {
                tally.Problems.Add(new($"snapshot {newest.Id}", "its manifest names no index root"));
                continue;
            }

            var root = await OpenRootAsync(newest, group.Key, ids, tally, cancellationToken);
            if (root is not null)
                roots.Add(new RootUse(root, ids));
        }

        return roots;
    }

    private async Task<IndexRoot?> OpenRootAsync(BackupManifest newest, string key, List<string> ids, Tally tally, CancellationToken cancellationToken)
    {
        IndexRoot root;
        try
        {
            root = (await _reader.OpenAsync(newest.Objects.First(o => o.Key == key), cancellationToken)).Root;
        }
        catch (ObjectNotFoundException)
        {
            // The root is the manifest's object: the repository's own check already names it as missing.
            return null;
        }
        catch (Exception e) when (e is LifeboatException or IOException)
        {
            tally.Problems.Add(new(key, $"the index root of {Snapshots(ids)} does not read: {e.Message}"));
            return null;
        }

        var disorder = IndexRootOrder.Problems(root.Segments);
        foreach (var problem in disorder)
            tally.Problems.Add(new(key, $"the index root of {Snapshots(ids)} is out of order: {problem}"));
        return disorder.Count == 0 ? root : null;
    }

    /// <summary>Each distinct segment of the roots, with the snapshots that need it, in the order the newest root lists them.</summary>
    private static List<SegmentUse> SegmentsOf(List<RootUse> roots)
    {
        var bySha = new Dictionary<string, SegmentUse>(StringComparer.Ordinal);
        var ordered = new List<SegmentUse>();
        foreach (var root in roots)
        {
            foreach (var segment in root.Root.Segments)
            {
                if (bySha.TryGetValue(segment.Sha256, out var known))
                {
                    known.Snapshots.AddRange(root.Snapshots);
                    continue;
                }

                var use = new SegmentUse(segment, [.. root.Snapshots]);
                bySha[segment.Sha256] = use;
                ordered.Add(use);
            }
        }

        return ordered;
    }

    /// <summary>Every content the segments' records name, each named by its key, version and newest snapshot; damaged segments become problems.</summary>
    private async IAsyncEnumerable<(string Subject, ContentDigest Sha256, long Size)> ReferencedAsync(
        List<SegmentUse> segments, Tally tally, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var use in segments)
        {
            foreach (var referenced in await ReadSegmentAsync(use, tally, cancellationToken))
                yield return referenced;
        }
    }

    // A segment is at most a few tens of thousands of records; collecting its references lets a damaged one be reported, not thrown.
    private async Task<List<(string Subject, ContentDigest Sha256, long Size)>> ReadSegmentAsync(SegmentUse use, Tally tally, CancellationToken cancellationToken)
    {
        var found = new List<(string, ContentDigest, long)>();
        try
        {
            await foreach (var record in _reader.ReadAllAsync(new IndexRoot([use.Segment]), cancellationToken))
            {
                tally.Records++;
                if (record.Sha256 is null)
                    continue;
                var subject = $"key '{record.Key}' (version {record.VersionId}) of snapshot {use.Snapshots[0]}";
                if (ContentDigest.TryParse(record.Sha256, out var sha))
                    found.Add((subject, sha, record.Size));
                else
                    tally.Problems.Add(new(subject, $"its content address '{record.Sha256}' is not a SHA-256"));
            }
        }
        catch (Exception e) when (e is LifeboatException or IOException)
        {
            tally.Problems.Add(new(_layout.SegmentKey(use.Segment.Sha256), $"the index segment of {Snapshots(use.Snapshots)} does not read: {e.Message}"));
        }

        return found;
    }

    private static string Snapshots(List<string> ids) => ids.Count switch
    {
        1 => $"snapshot {ids[0]}",
        2 => $"snapshots {ids[0]} and {ids[1]}",
        _ => $"snapshot {ids[0]} and {ids.Count - 1} older",
    };

    private sealed record RootUse(IndexRoot Root, List<string> Snapshots);

    private sealed record SegmentUse(IndexSegment Segment, List<string> Snapshots);

    private sealed class Tally
    {
        public long Records { get; set; }

        public List<ContentProblem> Problems { get; } = [];
    }
}
