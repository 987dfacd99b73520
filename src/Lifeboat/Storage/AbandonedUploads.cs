namespace Lifeboat.Storage;

/// <summary>Uploads whose process died before completing or discarding them: how many, and the bytes they hold.</summary>
/// <param name="Count">How many uploads.</param>
/// <param name="Bytes">The bytes written to them so far.</param>
/// <param name="Place">Where they are, for messages: a directory, or the store's location.</param>
public sealed record AbandonedUploads(int Count, long Bytes, string Place);
