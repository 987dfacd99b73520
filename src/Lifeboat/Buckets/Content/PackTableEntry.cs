namespace Lifeboat.Buckets.Content;

/// <summary>One line of a pack's table: which content the blob at <paramref name="Offset"/> holds.</summary>
/// <param name="Sha256">The content's SHA-256, 64 lowercase hex digits.</param>
/// <param name="Size">The content's length.</param>
/// <param name="Offset">Where the blob's envelope starts in the pack.</param>
/// <param name="Stored">The blob's envelope length.</param>
public sealed record PackTableEntry(string Sha256, long Size, long Offset, long Stored);
