using System.Buffers.Binary;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// The header of one WAL page (XLogPageHeaderData), and on a segment's first page the long form that also names the
/// cluster (XLogLongPageHeaderData). Little-endian, as on every platform PostgreSQL is built for here.
/// </summary>
/// <param name="Magic">The WAL format version mark (0xD110 for PostgreSQL 15).</param>
/// <param name="Flags">xlp_info: whether the page starts with the rest of a record, and whether the header is long.</param>
/// <param name="Timeline">The timeline the page was written on.</param>
/// <param name="PageAddress">The WAL position of the page's first byte.</param>
/// <param name="RemainingLength">Bytes of a record begun on an earlier page still to come, when the page starts with one.</param>
/// <param name="SystemId">The cluster's system identifier (long header only, else 0).</param>
/// <param name="SegmentSize">The segment size (long header only, else 0).</param>
/// <param name="BlockSize">The page size (long header only, else 0).</param>
public sealed record WalPageHeader(ushort Magic, ushort Flags, uint Timeline, ulong PageAddress, uint RemainingLength, ulong SystemId, uint SegmentSize, uint BlockSize)
{
    /// <summary>Bytes of a short header (MAXALIGNed).</summary>
    public const int ShortSize = 24;

    /// <summary>Bytes of a long header (MAXALIGNed).</summary>
    public const int LongSize = 40;

    /// <summary>The page begins with the continuation of a record (XLP_FIRST_IS_CONTRECORD).</summary>
    public const ushort FirstIsContinuation = 0x0001;

    /// <summary>
    /// The page starts with new records where a record torn by a crash would have continued
    /// (XLP_FIRST_IS_OVERWRITE_CONTRECORD, PostgreSQL 15 and the minor releases of 10-14 from 2021).
    /// </summary>
    public const ushort FirstIsOverwriteContinuation = 0x0008;

    /// <summary>The header is the long form (XLP_LONG_HEADER).</summary>
    public const ushort LongHeader = 0x0002;

    // xlp_magic of each released major version this reader understands the page and record layout of.
    private static readonly Dictionary<ushort, int> MajorVersionOfMagic = new()
    {
        [0xD106] = 13,
        [0xD10D] = 14,
        [0xD110] = 15,
        [0xD113] = 16,
        [0xD116] = 17,
    };

    /// <summary>True when the header is the long form.</summary>
    public bool IsLong => (Flags & LongHeader) != 0;

    /// <summary>Bytes the header occupies on its page.</summary>
    public int Size => IsLong ? LongSize : ShortSize;

    /// <summary>The PostgreSQL major version whose WAL carries <see cref="Magic"/>, or null for one this build does not know.</summary>
    public int? MajorVersion => MajorVersionOfMagic.TryGetValue(Magic, out var major) ? major : null;

    /// <summary>Reads a header from the start of <paramref name="page"/>; null when there are too few bytes for it.</summary>
    public static WalPageHeader? Read(ReadOnlySpan<byte> page)
    {
        if (page.Length < ShortSize)
            return null;
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(page[2..]);
        var isLong = (flags & LongHeader) != 0;
        if (isLong && page.Length < LongSize)
            return null;
        return new WalPageHeader(
            Magic: BinaryPrimitives.ReadUInt16LittleEndian(page),
            Flags: flags,
            Timeline: BinaryPrimitives.ReadUInt32LittleEndian(page[4..]),
            PageAddress: BinaryPrimitives.ReadUInt64LittleEndian(page[8..]),
            RemainingLength: BinaryPrimitives.ReadUInt32LittleEndian(page[16..]),
            SystemId: isLong ? BinaryPrimitives.ReadUInt64LittleEndian(page[24..]) : 0,
            SegmentSize: isLong ? BinaryPrimitives.ReadUInt32LittleEndian(page[32..]) : 0,
            BlockSize: isLong ? BinaryPrimitives.ReadUInt32LittleEndian(page[36..]) : 0);
    }
}
