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

    /// <summary>One line: the system identifier, the format mark in hex and the segment size.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{SystemId} {WalMagic:X4} {SegmentSize}");
}
