using Lifeboat.Buckets.Target;

namespace Lifeboat.Tests.Buckets;

/// <summary>The part size a restore writes an object with, so a multipart upload gets its own ETag back.</summary>
public sealed class PartSizeChoiceTests
{
    private const long MiB = 1 << 20;

    [Theory]
    [InlineData(20 * MiB, 4, 5 * MiB)] // rclone's and the SDKs' 5 MiB parts
    [InlineData((20 * MiB) + 1, 5, 5 * MiB)]
    [InlineData(100 * MiB, 13, 8 * MiB)] // AWS CLI and boto3
    [InlineData(17 * MiB, 2, 16 * MiB)] // mc: 16 MiB + 1 MiB, though 9 MiB parts would make two too
    [InlineData(19 * MiB, 2, 16 * MiB)]
    [InlineData(60 * MiB, 10, 6 * MiB)] // no common size fits: the smallest whole MiB that does
    public void A_multipart_etag_gets_the_part_size_that_reproduces_its_part_count(long size, int parts, long expected)
    {
        var partSize = PartSizeChoice.For(size, $"\"0123456789abcdef0123456789abcdef-{parts}\"");

        Assert.Equal(expected, partSize);
        Assert.Equal(parts, (int)((size + partSize!.Value - 1) / partSize.Value));
    }

    [Theory]
    [InlineData(9 * MiB, 2, 5 * MiB, 5 * MiB)] // the source said 5 MiB: the guess would have been 8 MiB
    [InlineData(100 * MiB, 13, 8 * MiB, 8 * MiB)]
    [InlineData(9 * MiB, 2, 3 * MiB, 8 * MiB)] // 3 MiB parts would make three: the guess
    [InlineData(40 * MiB, 2, 35 * MiB, 20 * MiB)] // larger than a mirror holds in memory: the guess, which keeps the count
    public void A_part_size_the_source_told_is_used_when_it_gives_the_etags_part_count_and_a_guess_otherwise(long size, int parts, long told, long expected)
    {
        Assert.Equal(expected, PartSizeChoice.For(size, $"0123456789abcdef0123456789abcdef-{parts}", told));
    }

    [Fact]
    public void A_single_part_upload_of_a_small_object_is_reproduced_as_one_part()
    {
        Assert.Equal(3 * MiB, PartSizeChoice.For((3 * MiB) - 10, "abc-1"));
    }

    [Theory]
    [InlineData(0L, "abc-1")]
    [InlineData(1000L, "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData(6 * MiB, "abc-5")] // five parts of at least 5 MiB cannot make 6 MiB
    public void Small_objects_without_a_reproducible_part_count_go_with_one_put(long size, string etag)
    {
        Assert.Null(PartSizeChoice.For(size, etag));
    }

    [Theory]
    [InlineData(8 * MiB)]
    [InlineData(9 * MiB)]
    [InlineData(5L << 30)]
    public void An_object_with_a_plain_etag_goes_as_one_put_up_to_5_gib_so_its_md5_etag_comes_back(long size)
    {
        Assert.Null(PartSizeChoice.For(size, "\"9e107d9d372bb6826bd81d3542a419d6\""));
    }

    [Theory]
    [InlineData((5L << 30) + 1, "9e107d9d372bb6826bd81d3542a419d6", 8 * MiB)] // beyond one PUT: no ETag to keep
    [InlineData(100_000 * MiB, "abc", 10 * MiB)] // 10,000 parts of 8 MiB would not hold it
    public void Objects_larger_than_one_put_takes_go_multipart_in_8_mib_parts_grown_only_to_fit_10000(long size, string etag, long expected)
    {
        Assert.Equal(expected, PartSizeChoice.For(size, etag));
    }

    [Fact]
    public void A_multipart_etag_whose_parts_are_too_large_to_hold_goes_as_one_put()
    {
        Assert.Null(PartSizeChoice.For(100 * MiB, "abc-2")); // 50 MiB parts: beyond what is reproduced, held in memory
    }

    [Theory]
    [InlineData("abc-12", 12)]
    [InlineData("\"abc-3\"", 3)]
    [InlineData("abc", null)]
    [InlineData("abc-0", null)]
    [InlineData("abc-x", null)]
    [InlineData("-3", null)]
    [InlineData(null, null)]
    public void The_part_count_is_read_from_a_multipart_etag_only(string? etag, int? parts)
    {
        Assert.Equal(parts, PartSizeChoice.PartCount(etag));
    }
}
