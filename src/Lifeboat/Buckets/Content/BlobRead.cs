namespace Lifeboat.Buckets.Content;

/// <summary>One content of a batch read: its verified bytes, or why it could not be read (the batch goes on).</summary>
/// <param name="Location">Where the content lies.</param>
/// <param name="Content">The bytes, verified against the content's SHA-256 and length; null on failure.</param>
/// <param name="Error">What failed: a damaged blob or a missing pack. Null on success.</param>
public sealed record BlobRead(ContentLocation Location, byte[]? Content, LifeboatException? Error);
