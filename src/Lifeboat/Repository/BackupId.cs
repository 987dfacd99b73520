using System.Globalization;
using System.Security.Cryptography;

namespace Lifeboat.Repository;

/// <summary>
/// A backup's id: its UTC start time to the microsecond and a random suffix, so ids sort by time and never collide
/// (e.g. 2026-12-03T075206.123456Z-473a53ab). Ids written before the microseconds (…T075206Z-473a53ab) stay valid.
/// </summary>
public readonly record struct BackupId(string Value) : IComparable<BackupId>
{
    private const string TimeFormat = "yyyy-MM-dd'T'HHmmss.ffffff'Z'";
    private const string SecondsTimeFormat = "yyyy-MM-dd'T'HHmmss'Z'";
    private const int SuffixLength = 8;

    /// <summary>Makes a new id for a backup starting at <paramref name="startedAt"/>.</summary>
    public static BackupId New(DateTimeOffset startedAt)
    {
        var time = startedAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SuffixLength / 2));
        return new BackupId($"{time}-{suffix}");
    }

    /// <summary>True when <paramref name="text"/> has the shape of an id.</summary>
    public static bool IsWellFormed(string text) => TryParse(text, out _, out _);

    /// <summary>The start time the id records, truncated to its resolution (a microsecond, or a second for older ids).</summary>
    public DateTime Time => TryParse(Value, out var time, out _) ? time : throw new FormatException($"'{Value}' is not a backup id");

    /// <summary>
    /// The latest start time the id is consistent with: its time plus its resolution. An older id written to the second
    /// may have started up to a second after what it shows, so it cannot be ordered against ids of that same second.
    /// </summary>
    public DateTime LatestPossibleTime => TryParse(Value, out var time, out var resolution) ? time + resolution : throw new FormatException($"'{Value}' is not a backup id");

    /// <summary>The random suffix that tells apart backups started at the same moment.</summary>
    public string Suffix => Value[^SuffixLength..];

    /// <summary>Orders by recorded start time, then by text, so ids of both shapes sort as their backups started.</summary>
    public int CompareTo(BackupId other)
    {
        var byTime = Time.CompareTo(other.Time);
        return byTime != 0 ? byTime : string.CompareOrdinal(Value, other.Value);
    }

    /// <inheritdoc />
    public override string ToString() => Value;

    private static bool TryParse(string text, out DateTime time, out TimeSpan resolution)
    {
        time = default;
        resolution = default;
        var dash = text.Length - SuffixLength - 1;
        if (dash < 0 || text[dash] != '-' || text.AsSpan(dash + 1).ContainsAnyExcept("0123456789abcdef"))
            return false;
        var timeText = text[..dash];
        const DateTimeStyles Utc = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal;
        if (timeText.Length == TimeFormat.Length - 4 && DateTime.TryParseExact(timeText, TimeFormat, CultureInfo.InvariantCulture, Utc, out time))
        {
            resolution = TimeSpan.FromMicroseconds(1);
            return true;
        }

        if (timeText.Length == SecondsTimeFormat.Length - 4 && DateTime.TryParseExact(timeText, SecondsTimeFormat, CultureInfo.InvariantCulture, Utc, out time))
        {
            resolution = TimeSpan.FromSeconds(1);
            return true;
        }

        return false;
    }
}
