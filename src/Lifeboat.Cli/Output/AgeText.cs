using System.Globalization;

namespace Lifeboat.Cli.Output;

/// <summary>How long ago something happened, in one short unit: "45s", "12m", "3h", "2d".</summary>
internal static class AgeText
{
    /// <summary>The age of <paramref name="then"/> at <paramref name="now"/>.</summary>
    public static string Between(DateTimeOffset then, DateTimeOffset now) => Format(now - then);

    /// <summary>
    /// <paramref name="age"/> in its largest whole unit, rounded down; hours up to two days, so "26h" tells a
    /// missed daily backup at a glance where "1d" would hide it.
    /// </summary>
    public static string Format(TimeSpan age)
    {
        // A clock behind the one that took the backup makes it look as if from the future; its age is then none.
        if (age < TimeSpan.Zero)
            age = TimeSpan.Zero;
        return age switch
        {
            { TotalMinutes: < 1 } => Whole(age.TotalSeconds, "s"),
            { TotalHours: < 1 } => Whole(age.TotalMinutes, "m"),
            { TotalDays: < 2 } => Whole(age.TotalHours, "h"),
            { TotalDays: < 730 } => Whole(age.TotalDays, "d"),
            _ => Whole(age.TotalDays / 365, "y"),
        };
    }

    private static string Whole(double value, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Floor(value)}{unit}");
}
