using System.Globalization;

namespace Lifeboat.Buckets.Target;

/// <summary>
/// How an object is written back (design §5) so that it gets its own ETag back, and later restores and mirrors see it
/// as unchanged: an object with a plain ETag (one PUT: the MD5 of its bytes) goes as one PutObject again; one with a
/// multipart ETag (the MD5 of its parts' MD5s, then "-N") goes multipart with a part size that gives N parts.
/// </summary>
public static class PartSizeChoice
{
    /// <summary>The part size when an object larger than one PutObject takes has no part size to reproduce.</summary>
    public const int DefaultPartSize = 8 << 20;

    /// <summary>S3's smallest part, except the last.</summary>
    public const int MinPartSize = 5 << 20;

    /// <summary>S3's largest single PutObject.</summary>
    public const long MaxSinglePut = 5L << 30;

    /// <summary>
    /// The largest part reproduced: an upload holds two parts in memory (one sending, one filling), and at most two
    /// large objects are written at once. Objects uploaded with larger parts go as one PutObject (or, beyond
    /// <see cref="MaxSinglePut"/>, in <see cref="DefaultPartSize"/> parts), and their ETag changes.
    /// </summary>
    public const int MaxReproducedPartSize = 32 << 20;

    /// <summary>S3's limit on parts in one upload.</summary>
    public const int MaxParts = 10_000;

    private const int MiB = 1 << 20;

    // In MiB, most common first.
    private static readonly int[] CommonPartSizes = [8, 16, 5, 15];

    /// <summary>
    /// The part size to write an object of <paramref name="size"/> bytes whose source ETag is <paramref name="etag"/>
    /// with, or null for one PutObject. <paramref name="sourcePartSize"/> is the source's own part size where its
    /// server told it (the length of part 1); without it, or when it does not give the ETag's part count, the part
    /// size is guessed.
    /// </summary>
    public static long? For(long size, string? etag, long? sourcePartSize = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (size > 0 && PartCount(etag) is { } parts && (Told(size, parts, sourcePartSize) ?? Reproducing(size, parts)) is { } reproduced)
            return reproduced;
        // A plain ETag is reproduced by one PUT whatever the size; a multipart one that cannot be reproduced changes
        // either way, and one streamed PUT holds no part in memory.
        return size <= MaxSinglePut ? null : Default(size);
    }

    /// <summary>The N of a multipart ETag "…-N", or null for an ETag that is not one.</summary>
    public static int? PartCount(string? etag)
    {
        var trimmed = etag?.Trim('"');
        var dash = trimmed?.LastIndexOf('-') ?? -1;
        if (trimmed is null || dash <= 0)
            return null;
        return int.TryParse(trimmed.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var parts) && parts is >= 1 and <= MaxParts
            ? parts
            : null;
    }

    // A whole-MiB part size p with ⌈size / p⌉ = parts. The ETag says only how many parts there were, not how large
    // they were, so without the source's word the part size is a guess and cannot be derived exactly: for few parts several sizes fit, and an
    // uploader may use sizes that are not whole MiB or parts of unequal sizes. The common uploaders' sizes are tried
    // first (AWS CLI and boto3 8 MiB, mc 16 MiB, rclone and the SDKs' 5 MiB, s3cmd 15 MiB), then the smallest that
    // fits. The ETag comes back only when the guess matches every part boundary; a wrong guess keeps the part count
    // and the bytes, and costs the ETag (later restores then write the object again).
    private static long? Reproducing(long size, int parts)
    {
        var perPart = (size + parts - 1) / parts;
        var smallest = (perPart + MiB - 1) / MiB * MiB;
        // One part holds the whole object whatever its size: its ETag is the same.
        var part = parts == 1 ? smallest : CommonPartSizes.Select(p => (long)p * MiB).FirstOrDefault(p => p >= smallest && Fits(size, parts, p), smallest);
        if (!Fits(size, parts, part) || (parts > 1 && part < MinPartSize))
            return null;
        return part <= MaxReproducedPartSize ? part : null;
    }

    // The source's own part size, when it gives the part count and is one a write may use and hold.
    private static long? Told(long size, int parts, long? part) =>
        part is { } p && Fits(size, parts, p) && (parts == 1 || p >= MinPartSize) && p <= MaxReproducedPartSize ? p : null;

    private static bool Fits(long size, int parts, long part) => (long)(parts - 1) * part < size && (long)parts * part >= size;

    // 8 MiB, grown in whole MiB only when 10,000 parts would not hold the object.
    private static long Default(long size)
    {
        var least = (size + MaxParts - 1) / MaxParts;
        return Math.Max(DefaultPartSize, (least + MiB - 1) / MiB * MiB);
    }
}
