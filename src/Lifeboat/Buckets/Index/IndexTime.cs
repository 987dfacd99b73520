using System.Globalization;

namespace Lifeboat.Buckets.Index;

/// <summary>The one time format of the index: UTC to the millisecond, so a listing's time round-trips exactly.</summary>
public static class IndexTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Drops what is finer than a millisecond and makes the offset zero.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time)
    {
        var utc = time.UtcTicks;
        return new DateTimeOffset(utc - (utc % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    /// <summary>True when both are the same instant to the millisecond.</summary>
    public static bool Same(DateTimeOffset a, DateTimeOffset b) => Truncate(a) == Truncate(b);

    /// <summary>The index's text of <paramref name="time"/>.</summary>
    public static string ToText(DateTimeOffset time) => Truncate(time).UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Parses the index's text; null when it has another shape.</summary>
    public static DateTimeOffset? TryParse(string? text) =>
        DateTimeOffset.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
}
