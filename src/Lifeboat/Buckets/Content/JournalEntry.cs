namespace Lifeboat.Buckets.Content;

/// <summary>
/// One line of a run's journal: an index record of an object the run read, kept as its serialized JSON line (the
/// index's own format, without the newline) with the key it sorts by.
/// </summary>
/// <param name="Key">The object's key; journal objects are sorted by it (UTF-8 byte order).</param>
/// <param name="Line">The record's JSON line, a JSON object whose <c>key</c> member is <paramref name="Key"/>.</param>
public sealed record JournalEntry(string Key, ReadOnlyMemory<byte> Line);
