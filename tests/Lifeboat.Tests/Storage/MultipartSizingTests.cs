using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

public class MultipartSizingTests
{
    private const int Base = S3Location.DefaultPartSize;

    [Theory]
    [InlineData(1, Base)]
    [InlineData(2000, Base)]
    [InlineData(2001, 2 * Base)]
    [InlineData(4001, 4 * Base)]
    [InlineData(10_000, 16 * Base)]
    public void Parts_double_every_two_thousand(int partNumber, int expected) =>
        Assert.Equal(expected, MultipartSizing.PartSize(partNumber, Base));

    [Fact]
    public void The_default_part_size_holds_a_480_GiB_object_and_no_part_passes_one_gibibyte()
    {
        Assert.Equal(62_000L * Base, MultipartSizing.MaxObjectSize(Base));
        Assert.True(MultipartSizing.MaxObjectSize(Base) >= 480L << 30);
        Assert.Equal(1L << 30, MultipartSizing.PartSize(10_000, S3Location.MaxPartSize));
    }

    [Fact]
    public void Objects_below_15_GiB_use_the_base_part_size_throughout() =>
        Assert.True(2000L * MultipartSizing.PartSize(2000, Base) >= 15L << 30);
}
