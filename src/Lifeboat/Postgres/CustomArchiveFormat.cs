namespace Lifeboat.Postgres;

/// <summary>The facts of pg_dump's custom archive format that its readers and the splitter read by.</summary>
internal static class CustomArchiveFormat
{
    /// <summary>The header's format code of a custom archive.</summary>
    public const byte Custom = 1;

    /// <summary>TOC offset flag: the entry has data but its position was not known when the TOC was written.</summary>
    public const byte OffsetNotSet = 1;

    /// <summary>TOC offset flag: the entry's data starts at the stored position.</summary>
    public const byte OffsetSet = 2;

    /// <summary>TOC offset flag: the entry has no data block.</summary>
    public const byte OffsetNoData = 3;

    /// <summary>Block type of a table's data.</summary>
    public const byte BlockData = 1;

    /// <summary>Block type of the large objects.</summary>
    public const byte BlockLargeObjects = 3;

    /// <summary>The widest integer or offset the header may declare, in bytes.</summary>
    public const int WidestNumber = 8;

    /// <summary>Archive version 1.12, written by pg_dump 11, the oldest layout known here.</summary>
    public static readonly int OldestVersion = Version(1, 12);

    /// <summary>From 1.14 (pg_dump 12) each TOC entry names its table access method.</summary>
    public static readonly int VersionWithTableAm = Version(1, 14);

    /// <summary>From 1.15 (pg_dump 16) the header carries a compression algorithm byte instead of a level.</summary>
    public static readonly int VersionWithCompressionAlgorithm = Version(1, 15);

    /// <summary>From 1.16 (pg_dump 17) each TOC entry carries its relation kind.</summary>
    public static readonly int VersionWithRelKind = Version(1, 16);

    /// <summary>The newest layout known here: 1.16, pg_dump 17 and 18.</summary>
    public static readonly int NewestVersion = Version(1, 16);

    /// <summary>A version as one comparable number.</summary>
    public static int Version(int major, int minor, int revision = 0) => (((major * 256) + minor) * 256) + revision;

    /// <summary>pg_dump's integers: a sign byte (non-zero means negative), then the magnitude, least significant byte first.</summary>
    public static long DecodeInt(ReadOnlySpan<byte> field)
    {
        ulong magnitude = 0;
        for (var i = field.Length - 1; i >= 1; i--)
            magnitude = (magnitude << 8) | field[i];
        if (magnitude > long.MaxValue)
            return long.MinValue;
        return field[0] == 0 ? (long)magnitude : -(long)magnitude;
    }

    /// <summary>
    /// The length of the data chunk at the start of <paramref name="bytes"/> when all of it, its length field of
    /// <paramref name="header"/> bytes included, lies in them; 0 when it does not, or when the field ends the data.
    /// </summary>
    // The test the data-copy loops make once per row, so it must stay this small.
    public static int WholeChunkLength(ReadOnlySpan<byte> bytes, int header)
    {
        if (bytes.Length < header)
            return 0;
        var length = DecodeInt(bytes[..header]);
        return length <= 0 || length > bytes.Length - header ? 0 : (int)length;
    }
}
