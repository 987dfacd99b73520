using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Lifeboat.Postgres;

/// <summary>
/// Writes the data offsets pg_dump could not write into a custom-format archive it streamed to a pipe, as
/// pg_dump does itself when its output is seekable: same TOC size, flag "position set" and the position of
/// each data block. With them, each pg_restore --jobs worker seeks straight to its block instead of
/// scanning the file for it.
/// </summary>
internal static class CustomArchiveOffsets
{
    /// <summary>
    /// Patches <paramref name="file"/>, which must hold exactly the bytes <paramref name="scanner"/> observed.
    /// Returns false, leaving the file untouched, when the scan did not understand the archive to its end.
    /// </summary>
    public static bool TryWrite(SafeFileHandle file, CustomArchiveScanner scanner)
    {
        if (!scanner.Understood || RandomAccess.GetLength(file) != scanner.Length)
            return false;
        var offsets = scanner.DataOffsets.ToList();
        if (offsets.Exists(o => !Fits(o.Data, scanner.OffsetSize)))
            return false;

        var field = new byte[1 + scanner.OffsetSize];
        foreach (var (fieldPosition, dataPosition) in offsets)
        {
            Encode(field, dataPosition);
            RandomAccess.Write(file, field, fieldPosition);
        }

        return true;
    }

    // pg_dump's WriteOffset: the flag byte, then the position least significant byte first.
    private static void Encode(byte[] field, long position)
    {
        Span<byte> wide = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(wide, position);
        field[0] = CustomArchiveFormat.OffsetSet;
        wide[..(field.Length - 1)].CopyTo(field.AsSpan(1));
    }

    private static bool Fits(long position, int size) => size >= sizeof(long) || position >> (8 * size) == 0;
}
