using System.Globalization;

namespace Lifeboat.Postgres.Wal;

/// <summary>What kind of file PostgreSQL hands to its archive command.</summary>
public enum WalFileKind
{
    /// <summary>A whole WAL segment, e.g. 000000010000000000000003.</summary>
    Segment,

    /// <summary>The part of a segment written before a timeline switch, e.g. 000000010000000000000003.partial.</summary>
    Partial,

    /// <summary>A timeline's history, e.g. 00000002.history.</summary>
    History,

    /// <summary>A base backup's label copy, e.g. 000000010000000000000003.00000028.backup.</summary>
    BackupLabel,
}

/// <summary>
/// The name of a file in a WAL archive, parsed: timeline, and for segment files the log and segment numbers as
/// PostgreSQL spells them (TTTTTTTTXXXXXXXXYYYYYYYY, upper-case hex).
/// </summary>
/// <param name="Kind">What the file is.</param>
/// <param name="Timeline">The timeline it belongs to.</param>
/// <param name="Log">The high 32 bits of the segment's start position (0 for a history file).</param>
/// <param name="Segment">The segment within <paramref name="Log"/> (0 for a history file).</param>
/// <param name="Text">The name as given.</param>
public sealed record WalFileName(WalFileKind Kind, uint Timeline, uint Log, uint Segment, string Text)
{
    /// <summary>PostgreSQL's default and by far most common segment size.</summary>
    public const long DefaultSegmentSize = 16L << 20;

    /// <summary>Parses a name PostgreSQL gives %f or asks for in restore_command; null for anything else.</summary>
    public static WalFileName? TryParse(string text)
    {
        if (text.Length == 24 && IsHex(text))
            return Of(WalFileKind.Segment, text);
        if (text.Length == 32 && text.EndsWith(".partial", StringComparison.Ordinal) && IsHex(text[..24]))
            return Of(WalFileKind.Partial, text);
        if (text.Length == 16 && text.EndsWith(".history", StringComparison.Ordinal) && IsHex(text[..8]))
            return new WalFileName(WalFileKind.History, Hex(text, 0), 0, 0, text);
        if (text.Length == 40 && text[24] == '.' && text.EndsWith(".backup", StringComparison.Ordinal) && IsHex(text[..24]) && IsHex(text[25..33]))
            return Of(WalFileKind.BackupLabel, text);
        return null;
    }

    /// <summary>The segment file holding position <paramref name="lsn"/> on <paramref name="timeline"/>.</summary>
    public static WalFileName OfPosition(uint timeline, ulong lsn, long segmentSize)
    {
        var number = lsn / (ulong)segmentSize;
        return OfNumber(timeline, number, segmentSize);
    }

    /// <summary>The segment file with the given running number (position / segment size).</summary>
    public static WalFileName OfNumber(uint timeline, ulong number, long segmentSize)
    {
        var perLog = SegmentsPerLog(segmentSize);
        var log = (uint)(number / perLog);
        var segment = (uint)(number % perLog);
        return new WalFileName(WalFileKind.Segment, timeline, log, segment, $"{timeline:X8}{log:X8}{segment:X8}");
    }

    /// <summary>The running number of this segment: its start position divided by the segment size.</summary>
    public ulong Number(long segmentSize) => (ulong)Log * SegmentsPerLog(segmentSize) + Segment;

    /// <summary>The position where this segment starts.</summary>
    public ulong StartPosition(long segmentSize) => Number(segmentSize) * (ulong)segmentSize;

    /// <summary>The name of the segment file this file is or belongs to (a .partial or .backup file's segment).</summary>
    public string SegmentText => Kind == WalFileKind.History ? Text : Text[..24];

    /// <inheritdoc />
    public override string ToString() => Text;

    private static ulong SegmentsPerLog(long segmentSize) => 0x1_0000_0000UL / (ulong)segmentSize;

    private static WalFileName Of(WalFileKind kind, string text) => new(kind, Hex(text, 0), Hex(text, 8), Hex(text, 16), text);

    private static uint Hex(string text, int at) => uint.Parse(text.AsSpan(at, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    // PostgreSQL writes upper-case hex; a lower-case name is not one it would ever ask for.
    private static bool IsHex(string text) => !text.AsSpan().ContainsAnyExcept("0123456789ABCDEF");
}
