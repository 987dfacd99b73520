namespace Lifeboat.Postgres;

/// <summary>One entry of a custom archive's table of contents, as far as Lifeboat reads it.</summary>
/// <param name="DumpId">The entry's id, by which its data block and pg_restore name it.</param>
/// <param name="Tag">The object's name (a table's, for table data).</param>
/// <param name="Desc">What kind of object it is: "TABLE", "TABLE DATA", "BLOBS"...</param>
/// <param name="CopyStatement">The COPY statement its data load with; null or empty when there is none.</param>
/// <param name="Schema">The object's schema.</param>
/// <param name="OffsetField">
/// Where in the archive the entry's data-offset field (a flag byte, then a position) starts; the entry's other
/// fields lie before it, and the next entry starts right after it.
/// </param>
/// <param name="HasData">Whether the entry has a data block.</param>
/// <param name="Section">The part of the restore the entry belongs to (pg_dump's section: none, pre-data, data, post-data).</param>
internal sealed record CustomArchiveTocEntry(int DumpId, string? Tag, string? Desc, string? CopyStatement, string? Schema, long OffsetField, bool HasData, CustomArchiveSection Section);
