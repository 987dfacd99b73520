namespace Lifeboat.Buckets.Content;

/// <summary>One small content sealed as an envelope, ready to be appended to a pack.</summary>
/// <param name="Sha256">The content's address, as the envelope writer hashed it.</param>
/// <param name="Size">The content's length.</param>
/// <param name="Envelope">The sealed bytes.</param>
public sealed record SealedBlob(ContentDigest Sha256, long Size, ReadOnlyMemory<byte> Envelope);
