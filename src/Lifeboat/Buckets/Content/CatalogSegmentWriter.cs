using Lifeboat.Repository;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// Writes a run's catalog segments, <c>catalog/&lt;run&gt;-&lt;seq&gt;</c>, numbered in order. A segment may name only
/// packs that are complete: a later run trusts every line it reads.
/// </summary>
public sealed class CatalogSegmentWriter(BackupRepository repository, BucketContentLayout layout, BackupId runId)
{
    private int _next;

    /// <summary>How many segments this run has written.</summary>
    public int Written => _next;

    /// <summary>Writes <paramref name="lines"/> as the run's next segment; nothing when there are none. Not for concurrent use.</summary>
    public async Task WriteAsync(IReadOnlyCollection<CatalogLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0)
            return;
        var key = layout.CatalogKey(runId, _next);
        await using var writer = await repository.CreateObjectAsync(key, "catalog", repository.Envelope with { Workers = 0 }, cancellationToken);
        await writer.Stream.WriteAsync(JsonLines.Serialize(lines, BucketContentJson.Default.CatalogLine), cancellationToken);
        await writer.CompleteAsync(cancellationToken);
        _next++;
    }
}
