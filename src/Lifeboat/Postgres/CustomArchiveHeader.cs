namespace Lifeboat.Postgres;

/// <summary>What a custom archive's header says about how the rest of it is written.</summary>
/// <param name="Version">The archive version, as <see cref="CustomArchiveFormat.Version"/> numbers it.</param>
/// <param name="IntSize">Bytes of an integer's magnitude; each integer has a sign byte before them.</param>
/// <param name="OffsetSize">Bytes of a data position in a TOC entry's offset field, after its flag byte.</param>
/// <param name="Compression">The compression algorithm (from 1.15) or level (before); 0 when the data are not compressed.</param>
internal sealed record CustomArchiveHeader(int Version, int IntSize, int OffsetSize, long Compression)
{
    /// <summary>Bytes of one integer field: the sign byte and the magnitude.</summary>
    public int IntFieldSize => 1 + IntSize;
}
