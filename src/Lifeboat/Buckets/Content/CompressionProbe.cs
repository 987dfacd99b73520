using System.Buffers;
using Lifeboat.Format;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// Chooses a blob's compression from a sample of its first bytes: zstd level 1 when the sample shrinks below 95 %,
/// none otherwise. Most bucket assets (images, video, archives, 3D models) are compressed already, and zstd over them
/// only costs CPU that the two cores need for hashing and encryption.
/// </summary>
public static class CompressionProbe
{
    /// <summary>How much of a content is tried.</summary>
    public const int SampleSize = 64 << 10;

    private const int Level = 1;
    private const double WorthIt = 0.95;

    /// <summary>The envelope options for content starting with <paramref name="sample"/> (only its first <see cref="SampleSize"/> bytes count).</summary>
    public static EnvelopeOptions Choose(ReadOnlySpan<byte> sample, int chunkSize)
    {
        var compress = Shrinks(sample[..Math.Min(sample.Length, SampleSize)]);
        // Workers = 0: parallelism comes from many objects at once, not from zstd threads.
        return new EnvelopeOptions(CompressionLevel: compress ? Level : 0, ChunkSize: chunkSize, Workers: 0);
    }

    private static bool Shrinks(ReadOnlySpan<byte> sample)
    {
        if (sample.IsEmpty)
            return false;
        var bound = ZstdSharp.Compressor.GetCompressBound(sample.Length);
        var output = ArrayPool<byte>.Shared.Rent(bound);
        try
        {
            using var compressor = new ZstdSharp.Compressor(Level);
            return compressor.Wrap(sample, output) < sample.Length * WorthIt;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }
}
