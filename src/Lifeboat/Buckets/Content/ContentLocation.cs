namespace Lifeboat.Buckets.Content;

/// <summary>Where one content lies: the blob of pack <paramref name="Pack"/> at <paramref name="Offset"/>, <paramref name="Stored"/> bytes long.</summary>
/// <param name="Sha256">The content's address.</param>
/// <param name="Size">The content's own length, before sealing.</param>
/// <param name="Pack">The pack's id (32 hex digits).</param>
/// <param name="Offset">Where the blob's envelope starts in the pack.</param>
/// <param name="Stored">The blob's envelope length.</param>
public sealed record ContentLocation(ContentDigest Sha256, long Size, string Pack, long Offset, long Stored)
{
    /// <summary>The pack bytes this blob occupies.</summary>
    public long End => Offset + Stored;
}
