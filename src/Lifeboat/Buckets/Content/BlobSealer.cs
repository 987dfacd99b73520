using Lifeboat.Repository;

namespace Lifeboat.Buckets.Content;

/// <summary>Seals one small content into an envelope in memory, compressed only when a sample says it is worth it.</summary>
public sealed class BlobSealer(BackupRepository repository)
{
    // The header, one tag per chunk and zstd's worst case are small against the content; room for them avoids a regrowth.
    private const int Overhead = 4096;

    /// <summary>Seals <paramref name="content"/>; runs on the caller's thread, so many workers seal at once.</summary>
    public SealedBlob Seal(ReadOnlyMemory<byte> content)
    {
        var options = CompressionProbe.Choose(content.Span, repository.Envelope.ChunkSize);
        var sealedBytes = new MemoryStream(content.Length + Overhead);
        using (var writer = repository.CreateEnvelope(sealedBytes, options))
        {
            writer.Write(content.Span);
            writer.Finish();
            return new SealedBlob(
                ContentDigest.Parse(writer.PlaintextSha256, "a sealed blob"),
                content.Length,
                sealedBytes.GetBuffer().AsMemory(0, (int)sealedBytes.Length));
        }
    }
}
