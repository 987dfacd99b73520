namespace Lifeboat.Buckets.Source;

/// <summary>
/// Learns the part size a multipart source object was uploaded with, which its ETag does not say: a HEAD of part 1
/// answers that part's length and the object's part count (x-amz-mp-parts-count) on AWS and MinIO. radosgw 16 ignores
/// the part number and answers the whole object without a count; once a server did that, the run stops asking, and
/// the part size is guessed from the uploaders' usual sizes.
/// </summary>
public sealed class PartSizeProbe
{
    private int _ignored;

    /// <summary>True once the server answered a HEAD of part 1 with the whole object: it does not tell part sizes.</summary>
    public bool ServerIgnoresPartNumbers => Volatile.Read(ref _ignored) == 1;

    /// <summary>
    /// The length of part 1 of <paramref name="key"/> (<paramref name="size"/> bytes, <paramref name="etag"/>, whose
    /// ETag says <paramref name="parts"/> parts), or null when the server does not tell or the object changed.
    /// </summary>
    public async Task<long?> PartSizeAsync(SourceBucketClient client, string key, long size, string etag, int parts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        // One part is the whole object, whatever its size: there is nothing to learn.
        if (parts < 2 || ServerIgnoresPartNumbers)
            return null;
        if (await client.HeadPartAsync(key, 1, etag, cancellationToken) is not { } answer)
            return null;
        if (answer.Parts is null && answer.Length == size)
        {
            Volatile.Write(ref _ignored, 1);
            return null;
        }

        return PartSizeOf(size, parts, answer.Length, answer.Parts);
    }

    /// <summary>
    /// What a HEAD of part 1 that answered <paramref name="partLength"/> bytes and <paramref name="partsCount"/> parts
    /// says of the part size of an object of <paramref name="size"/> bytes in <paramref name="parts"/> parts: that
    /// length, when the count is the ETag's and the part is less than the object; null otherwise.
    /// </summary>
    public static long? PartSizeOf(long size, int parts, long partLength, int? partsCount) =>
        partsCount == parts && partLength > 0 && partLength < size ? partLength : null;
}
