using Lifeboat.Buckets.Source;

namespace Lifeboat.Tests.Buckets;

/// <summary>What a HEAD of part 1 says of a source object's part size (AWS and MinIO answer it; radosgw 16 answers the whole object).</summary>
public sealed class PartSizeProbeTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void Part_1_with_the_etags_part_count_gives_the_part_size()
    {
        Assert.Equal(5 * MiB, PartSizeProbe.PartSizeOf(9 * MiB, 2, 5 * MiB, partsCount: 2));
    }

    [Theory]
    [InlineData(9 * MiB, null)] // radosgw: the whole object, no count
    [InlineData(5 * MiB, 3)] // another count than the ETag's: another upload
    [InlineData(9 * MiB, 2)] // a part as large as the object is no part
    [InlineData(0L, 2)]
    public void An_answer_without_the_etags_part_count_or_with_no_smaller_part_says_nothing(long partLength, int? partsCount)
    {
        Assert.Null(PartSizeProbe.PartSizeOf(9 * MiB, 2, partLength, partsCount));
    }
}
