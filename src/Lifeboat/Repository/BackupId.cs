using System.Globalization;
using System.Security.Cryptography;

namespace Lifeboat.Repository;

/// <summary>A backup's id: its UTC start time and a random suffix, so ids sort by time and never collide.</summary>
public readonly record struct BackupId(string Value) : IComparable<BackupId>
{
    private const string TimeFormat = "yyyy-MM-dd'T'HHmmss'Z'";

    /// <summary>Makes a new id for a backup starting at <paramref name="startedAt"/>.</summary>
    public static BackupId New(DateTimeOffset startedAt)
    {
        var time = startedAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        return new BackupId($"{time}-{suffix}");
    }

    /// <summary>True when <paramref name="text"/> has the shape of an id.</summary>
    public static bool IsWellFormed(string text) =>
        text.Length == 27
        && text[18] == '-'
        && DateTime.TryParseExact(text[..18], TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out _)
        && text[19..].All(char.IsAsciiHexDigitLower);

    /// <inheritdoc />
    public int CompareTo(BackupId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
