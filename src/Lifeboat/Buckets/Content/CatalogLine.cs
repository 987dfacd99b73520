namespace Lifeboat.Buckets.Content;

/// <summary>One line of a catalog segment: where a content this run stored lies, with the source ETag as a hint.</summary>
/// <param name="Sha256">The content's SHA-256, 64 lowercase hex digits.</param>
/// <param name="Size">The content's length.</param>
/// <param name="Pack">The pack's id.</param>
/// <param name="Offset">Where the blob's envelope starts in the pack.</param>
/// <param name="Stored">The blob's envelope length.</param>
/// <param name="Etag">The ETag of the source object it was first read from; only ever a hint, never an identity.</param>
public sealed record CatalogLine(string Sha256, long Size, string Pack, long Offset, long Stored, string? Etag);
