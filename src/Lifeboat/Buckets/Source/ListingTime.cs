namespace Lifeboat.Buckets.Source;

/// <summary>The SDK's parsed S3 timestamps as UTC offsets: an unspecified kind is UTC, never local time.</summary>
internal static class ListingTime
{
    /// <summary><paramref name="time"/> in UTC; the epoch when the server sent none.</summary>
    public static DateTimeOffset Of(DateTime? time) => time switch
    {
        null => DateTimeOffset.UnixEpoch,
        { Kind: DateTimeKind.Local } t => new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero),
        { } t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc), TimeSpan.Zero),
    };
}
