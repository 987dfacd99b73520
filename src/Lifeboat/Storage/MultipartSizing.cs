namespace Lifeboat.Storage;

/// <summary>
/// Part sizes of a multipart upload whose total size is unknown in advance. S3 allows 10,000 parts, so
/// parts double every 2,000: objects below 2,000 × base (15.6 GiB at 8 MiB) use the base size, and the
/// last parts of the largest object (62,000 × base) are 16 × base. Memory grows with the object only past that first band.
/// </summary>
internal static class MultipartSizing
{
    /// <summary>S3's limit on parts in one upload.</summary>
    public const int MaxParts = 10_000;

    private const int PartsPerDoubling = 2_000;
    private const long LargestPart = 1L << 30;

    /// <summary>The size of part <paramref name="partNumber"/> (1-based) for a base part size.</summary>
    public static int PartSize(int partNumber, int basePartSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        var doublings = (partNumber - 1) / PartsPerDoubling;
        return (int)Math.Min((long)basePartSize << doublings, Math.Max(LargestPart, basePartSize));
    }

    /// <summary>The largest object an upload with this base part size can hold.</summary>
    public static long MaxObjectSize(int basePartSize)
    {
        long total = 0;
        for (var band = 0; band < MaxParts / PartsPerDoubling; band++)
            total += (long)PartSize((band * PartsPerDoubling) + 1, basePartSize) * PartsPerDoubling;
        return total;
    }
}
