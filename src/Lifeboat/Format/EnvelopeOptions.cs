namespace Lifeboat.Format;

/// <summary>How an <see cref="EnvelopeWriter"/> compresses and chunks: zstd level (0 = no compression), chunk size, zstd worker threads.</summary>
/// <param name="CompressionLevel">zstd level; 0 stores the data uncompressed, negative levels trade ratio for speed.</param>
/// <param name="ChunkSize">Bytes of the compressed stream sealed per chunk; recorded in the header.</param>
/// <param name="Workers">zstd worker threads; 0 compresses on the writing thread.</param>
public sealed record EnvelopeOptions(int CompressionLevel = 3, int ChunkSize = 1 << 20, int Workers = 2)
{
    /// <summary>The smallest chunk size a header may record.</summary>
    public const int MinChunkSize = 64;

    /// <summary>The largest chunk size a header may record; it bounds a reader's buffer.</summary>
    public const int MaxChunkSize = 16 << 20;

    /// <summary>The most zstd worker threads a writer starts.</summary>
    public const int MaxWorkers = 64;

    internal CompressionAlgorithm Compression => CompressionLevel == 0 ? CompressionAlgorithm.None : CompressionAlgorithm.Zstd;

    /// <summary>Throws a usage error naming the first option that is out of range.</summary>
    internal void Validate()
    {
        if (CompressionLevel < ZstdSharp.Compressor.MinCompressionLevel || CompressionLevel > ZstdSharp.Compressor.MaxCompressionLevel)
        {
            throw OutOfRange($"compression level {CompressionLevel}", $"{ZstdSharp.Compressor.MinCompressionLevel}..{ZstdSharp.Compressor.MaxCompressionLevel} (0 = no compression)");
        }

        if (ChunkSize is < MinChunkSize or > MaxChunkSize)
        {
            throw OutOfRange($"chunk size {ChunkSize}", $"{MinChunkSize}..{MaxChunkSize} bytes");
        }

        if (Workers is < 0 or > MaxWorkers)
        {
            throw OutOfRange($"{Workers} compression workers", $"0..{MaxWorkers}");
        }
    }

    private static LifeboatException OutOfRange(string what, string range) =>
        new($"envelope option out of range: {what}", $"use a value in {range}", FailureKind.Usage);
}
