using System.Security.Cryptography;
using System.Text;
using Lifeboat.Buckets.Content;

namespace Lifeboat.Tests.Buckets;

public sealed class CompressionProbeTests
{
    [Fact]
    public void Text_is_compressed_with_zstd_level_1_on_the_writing_thread()
    {
        var options = CompressionProbe.Choose(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"name\":\"value\"},", 5000))), 1 << 20);

        Assert.Equal((1, 1 << 20, 0), (options.CompressionLevel, options.ChunkSize, options.Workers));
    }

    [Fact]
    public void Random_bytes_are_stored_as_they_are()
    {
        Assert.Equal(0, CompressionProbe.Choose(RandomNumberGenerator.GetBytes(100_000), 1 << 20).CompressionLevel);
    }

    [Fact]
    public void Only_the_sample_counts_so_text_after_64_KiB_of_random_bytes_is_not_compressed()
    {
        var content = RandomNumberGenerator.GetBytes(CompressionProbe.SampleSize).Concat(new byte[1 << 20]).ToArray();

        Assert.Equal(0, CompressionProbe.Choose(content, 1 << 20).CompressionLevel);
    }

    [Fact]
    public void Empty_content_is_not_compressed()
    {
        Assert.Equal(0, CompressionProbe.Choose([], 1 << 20).CompressionLevel);
    }
}
