using System.Globalization;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// The archive's cluster as the running prefetcher read it from the repository when it started, recorded in its spool:
/// restore_command checks every segment it hands over against it without reading the repository itself.
/// </summary>
/// <param name="SystemId">The cluster's system identifier.</param>
/// <param name="WalMagic">The WAL format mark of its segments.</param>
/// <param name="SegmentSize">Its WAL segment size in bytes.</param>
public sealed record WalPrefetchIdentity(ulong SystemId, ushort WalMagic, long SegmentSize)
{
    /// <summary>The part of the archive's identity a segment's header can be checked against.</summary>
    public static WalPrefetchIdentity Of(WalArchiveIdentity archive) => new(archive.SystemId, archive.WalMagic, archive.SegmentSize);

    /// <summary>Reads the text <see cref="ToString"/> wrote; null for anything else (a record cut short, another format).</summary>
    public static WalPrefetchIdentity? TryParse(string text)
    {
        var fields = text.Trim().Split(' ');
        var invariant = CultureInfo.InvariantCulture;
        if (fields.Length == 3
            && ulong.TryParse(fields[0], NumberStyles.None, invariant, out var systemId)
            && ushort.TryParse(fields[1], NumberStyles.AllowHexSpecifier, invariant, out var magic)
            && long.TryParse(fields[2], NumberStyles.None, invariant, out var segmentSize)
            && segmentSize > 0)
        {
            return new(systemId, magic, segmentSize);
        }

        return null;
    }

    /// <summary>
    /// Why the segment file named <paramref name="name"/>, <paramref name="length"/> bytes long and starting with
    /// <paramref name="header"/>, is not that segment of this archive; null when it is. The same checks as
    /// <see cref="WalArchive.FetchAsync"/> makes on what it fetches (the page address and timeline the name gives), and
    /// the cluster: a spool may outlive the archive it was filled from.
    /// </summary>
    public string? Refusal(WalFileName name, WalPageHeader? header, long length)
    {
        if (header is not { IsLong: true })
            return "it does not start with a WAL segment header";
        if (header.SystemId != SystemId)
            return $"it comes from the cluster with system identifier {header.SystemId}, and the archive belongs to {SystemId}";
        if (header.Magic != WalMagic || header.SegmentSize != SegmentSize)
            return $"it is WAL of format {header.Magic:X4} with {header.SegmentSize}-byte segments, and the archive holds format {WalMagic:X4} with {SegmentSize}-byte segments";
        if (length != SegmentSize)
            return $"it is {length} bytes long, not {SegmentSize}";
        if (header.PageAddress != name.StartPosition(SegmentSize))
            return $"it holds the WAL at {new WalPosition(header.PageAddress)}, not segment {name.Text}";
        // A new timeline's first segment begins with a copy of its parent's pages, so an older timeline is fine here.
        return header.Timeline > name.Timeline ? $"its first page was written on timeline {header.Timeline}" : null;
    }

    /// <summary>One line: the system identifier, the format mark in hex and the segment size.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{SystemId} {WalMagic:X4} {SegmentSize}");
}
