namespace Lifeboat.Postgres.Wal;

/// <summary>
/// What makes a file WAL segment <see cref="Name"/>: a long first page header at the position the name gives, written
/// on the name's timeline or an earlier one, a whole segment long and, where the archive's cluster is known, of that
/// cluster's system identifier, format and segment size. The one check of a segment before restore_command hands it to
/// PostgreSQL, fetched from the archive or prefetched, and of a segment the archive's read check reads.
/// </summary>
/// <param name="Name">The segment asked for.</param>
/// <param name="Cluster">The archive's cluster, or null where it is not at hand (a fetch reads nothing but the file it fetches).</param>
public sealed record WalSegmentIdentity(WalFileName Name, WalPrefetchIdentity? Cluster = null)
{
    /// <summary>
    /// Why a file <paramref name="length"/> bytes long whose first page header is <paramref name="header"/> (null when
    /// too short for one) is not segment <see cref="Name"/>, naming it; null when it is.
    /// </summary>
    public string? Refusal(WalPageHeader? header, long length)
    {
        if (header is not { IsLong: true })
            return $"it does not start with a WAL segment header, so it is not segment {Name.Text}";
        return ClusterRefusal(header) ?? SegmentRefusal(header, length);
    }

    private string? ClusterRefusal(WalPageHeader header)
    {
        if (Cluster is null)
            return null;
        if (header.SystemId != Cluster.SystemId)
            return $"it holds WAL of the cluster with system identifier {header.SystemId}, not segment {Name.Text} of the cluster with system identifier {Cluster.SystemId}";
        if (header.Magic != Cluster.WalMagic || header.SegmentSize != Cluster.SegmentSize)
            return $"it holds WAL of format {header.Magic:X4} with {header.SegmentSize}-byte segments, not segment {Name.Text} of format {Cluster.WalMagic:X4} with {Cluster.SegmentSize}-byte segments";
        return null;
    }

    private string? SegmentRefusal(WalPageHeader header, long length)
    {
        if (length != header.SegmentSize)
            return $"it is {length} bytes long, not the {header.SegmentSize} bytes of segment {Name.Text}";
        // A new timeline's first segment begins with a copy of its parent's pages, so an older timeline is fine here.
        if (header.PageAddress != Name.StartPosition(header.SegmentSize) || header.Timeline > Name.Timeline)
            return $"it holds the WAL at {new WalPosition(header.PageAddress)} of timeline {header.Timeline}, not segment {Name.Text}";
        return null;
    }
}
