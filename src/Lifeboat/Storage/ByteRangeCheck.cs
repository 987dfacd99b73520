namespace Lifeboat.Storage;

/// <summary>Argument checks for <see cref="ByteRange"/>, shared by every medium.</summary>
internal static class ByteRangeCheck
{
    /// <summary>Throws when a range has a negative offset or length.</summary>
    public static void ThrowIfInvalid(ByteRange? range, string key)
    {
        if (range is not { } r)
            return;
        if (r.Offset < 0 || r.Length < 0)
            throw new ArgumentOutOfRangeException(nameof(range), $"byte range {r.Offset}+{r.Length} of '{key}' is negative");
    }
}
