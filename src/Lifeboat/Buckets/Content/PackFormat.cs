using System.Buffers.Binary;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// A pack's layout: <c>blob₁ ‖ … ‖ blobₙ ‖ table ‖ u32be(len(table)) ‖ "LBPK"</c>, where each blob and the table is an
/// envelope of its own. The footer lets a pack be described from the pack alone (check, a catalog rebuild).
/// </summary>
public static class PackFormat
{
    /// <summary>Content of this size or more is stored as a pack of one, streamed; smaller content is packed.</summary>
    public const int LargeFrom = 4 << 20;

    /// <summary>The most bytes a pack of small contents holds, table and footer included: one S3 part, one PutObject.</summary>
    public const int MaxPackBytes = 8 << 20;

    /// <summary>The most blobs in one pack, which bounds its table.</summary>
    public const int MaxBlobs = 10_000;

    /// <summary>The footer's length: the table's length and the magic.</summary>
    public const int FooterSize = 8;

    // The longest table line: four member names, a 64-digit sha and three 19-digit numbers, with JSON punctuation.
    private const int MaxTableLineBytes = 160;

    private static ReadOnlySpan<byte> Magic => "LBPK"u8;

    /// <summary>The footer that ends a pack whose table envelope is <paramref name="tableStoredBytes"/> long.</summary>
    public static byte[] Footer(long tableStoredBytes)
    {
        var footer = new byte[FooterSize];
        BinaryPrimitives.WriteUInt32BigEndian(footer, checked((uint)tableStoredBytes));
        Magic.CopyTo(footer.AsSpan(4));
        return footer;
    }

    /// <summary>The table's length a pack's last <see cref="FooterSize"/> bytes record; damage when they are no footer.</summary>
    public static long TableLength(ReadOnlySpan<byte> footer, string packKey, long packSize)
    {
        if (footer.Length != FooterSize || !footer[4..].SequenceEqual(Magic))
            throw new DamagedRecordException($"pack '{packKey}' does not end with a pack footer", "the pack was cut short or replaced");
        var length = BinaryPrimitives.ReadUInt32BigEndian(footer);
        if (length > packSize - FooterSize)
            throw new DamagedRecordException($"pack '{packKey}' names a table of {length} bytes, longer than the pack", "the pack was cut short or replaced");
        return length;
    }

    /// <summary>
    /// The most bytes the sealed table of <paramref name="entries"/> entries can take, with the footer: zstd's
    /// worst-case expansion plus one tag per chunk, so a pack closed in time never exceeds <see cref="MaxPackBytes"/>.
    /// </summary>
    public static long TableReserve(int entries, int chunkSize)
    {
        long plain = (long)entries * MaxTableLineBytes;
        var compressedBound = plain + (plain / 256) + 512;
        return 54 + compressedBound + (16 * ((compressedBound / chunkSize) + 1)) + FooterSize;
    }
}
