using Lifeboat.Buckets;
using Lifeboat.Buckets.Mirror;
using Lifeboat.Buckets.Restore;
using static Lifeboat.Tests.Buckets.FakeSourceBucket;

namespace Lifeboat.Tests.Buckets;

/// <summary>When a mirror's copy is current, looked at, or copied again: from the two listings, then from HEADs of both.</summary>
public sealed class MirrorRuleTests
{
    private const long Small = 5;
    private const long NineMiB = 9L << 20;
    private const long TwentyOneMiB = 21L << 20;
    private const long ThreeHundredMiB = 300L << 20;
    private static readonly DateTimeOffset Uploaded = At("2026-05-01T10:00:00.123Z");

    [Fact]
    public void A_copy_of_the_same_upload_written_after_it_is_skipped_without_a_request()
    {
        Assert.Equal(PlanAction.Skip, MirrorRule.Match(Source(Small, "abc"), Found(Small, "\"ABC\"", Uploaded.AddMinutes(1))));
        Assert.Equal(PlanAction.Skip, MirrorRule.Match(Source(TwentyOneMiB, "abc-5"), Found(TwentyOneMiB, "abc-5", Uploaded)));
    }

    [Theory]
    [InlineData("STANDARD_IA", "STANDARD")]
    [InlineData(null, "GLACIER")]
    [InlineData("GLACIER", null)]
    public void A_copy_otherwise_current_in_another_storage_class_is_looked_at_since_a_lifecycle_transition_keeps_etag_and_time(string? listed, string? copy)
    {
        Assert.Equal(PlanAction.Look, MirrorRule.Match(Source(Small, "abc", listed), Found(Small, "abc", Uploaded.AddMinutes(1), copy)));
        Assert.Equal(PlanAction.Look, MirrorRule.Match(Source(NineMiB, "aaa-2", listed), Found(NineMiB, "bbb-2", Uploaded.AddMinutes(1), copy)));
    }

    [Fact]
    public void No_storage_class_and_standard_are_the_same_class()
    {
        Assert.Equal(PlanAction.Skip, MirrorRule.Match(Source(Small, "abc", "STANDARD"), Found(Small, "abc", Uploaded.AddMinutes(1))));
        Assert.Equal(PlanAction.Skip, MirrorRule.Match(Source(Small, "abc"), Found(Small, "abc", Uploaded.AddMinutes(1), "STANDARD")));
    }

    [Fact]
    public void The_same_upload_rewritten_at_the_source_after_the_copy_is_looked_at_for_its_metadata()
    {
        Assert.Equal(PlanAction.Look, MirrorRule.Match(Source(Small, "abc"), Found(Small, "abc", Uploaded.AddSeconds(-1))));
    }

    [Theory]
    [InlineData(6, "abc", 60)]
    [InlineData(5, "abd", -60)]
    [InlineData(5, "", -60)]
    public void Another_size_or_another_etag_in_an_older_copy_is_copied_again(long size, string etag, int copiedSecondsLater)
    {
        Assert.Equal(PlanAction.Write, MirrorRule.Match(Source(Small, "abc"), Found(size, etag, Uploaded.AddSeconds(copiedSecondsLater))));
    }

    [Fact]
    public void Another_etag_in_a_newer_copy_of_a_layout_the_copy_reproduces_is_looked_at_since_only_a_head_tells_encryption_from_change()
    {
        Assert.Equal(PlanAction.Look, MirrorRule.Match(Source(Small, "abc"), Found(Small, "0123456789abcdef0123456789abcdef", Uploaded.AddMinutes(1))));
    }

    [Fact]
    public void Another_etag_in_a_newer_copy_of_a_layout_the_copy_cannot_reproduce_is_current_by_size_and_time()
    {
        // Three parts of 100 MiB are larger than a mirror reproduces: it writes the object as one PUT, with a plain MD5.
        Assert.Equal(PlanAction.Skip, MirrorRule.Match(Source(ThreeHundredMiB, "abc-3"), Found(ThreeHundredMiB, "0123456789abcdef0123456789abcdef", Uploaded.AddMinutes(1))));
        Assert.Equal(PlanAction.Write, MirrorRule.Match(Source(ThreeHundredMiB, "abc-3"), Found(ThreeHundredMiB, "0123456789abcdef0123456789abcdef", Uploaded.AddMinutes(-1))));
    }

    [Theory]
    [InlineData(100, "0123456789abcdef0123456789abcdef", CopyETag.Same)]
    [InlineData(21L << 20, "0123456789abcdef0123456789abcdef", CopyETag.Same)]
    [InlineData(21L << 20, "abc-5", CopyETag.SamePartCount)]
    [InlineData(21L << 20, "abc-3", CopyETag.SamePartCount)]
    [InlineData(6L << 30, "0123456789abcdef0123456789abcdef", CopyETag.Other)]
    [InlineData(300L << 20, "abc-3", CopyETag.Other)]
    [InlineData(100, "abc-2", CopyETag.Other)]
    public void A_copy_gets_the_source_etag_back_from_one_put_and_its_part_count_where_the_layout_is_reproduced(long size, string etag, CopyETag expected)
    {
        Assert.Equal(expected, MirrorRule.Expected(size, etag));
    }

    [Fact]
    public void A_newer_copy_of_a_multipart_upload_with_its_part_count_and_another_value_is_current_since_the_part_size_may_have_been_guessed()
    {
        // 9 MiB uploaded in 5 MiB parts ("-2"); radosgw does not tell the part size, so the copy went in 8 MiB parts.
        Assert.Equal(PlanAction.Skip, MirrorRule.Match(Source(NineMiB, "aaa-2"), Found(NineMiB, "bbb-2", Uploaded.AddMinutes(1))));
        Assert.True(MirrorRule.SameBytes(Head(NineMiB, "aaa-2", Uploaded), Head(NineMiB, "bbb-2", Uploaded.AddSeconds(1))));
    }

    [Fact]
    public void An_older_copy_of_a_multipart_upload_with_another_value_or_a_newer_one_with_another_part_count_is_not_current()
    {
        Assert.Equal(PlanAction.Write, MirrorRule.Match(Source(NineMiB, "aaa-2"), Found(NineMiB, "bbb-2", Uploaded.AddMinutes(-1))));
        Assert.Equal(PlanAction.Look, MirrorRule.Match(Source(NineMiB, "aaa-2"), Found(NineMiB, "0123456789abcdef0123456789abcdef", Uploaded.AddMinutes(1))));
        Assert.False(MirrorRule.SameBytes(Head(NineMiB, "aaa-2", Uploaded), Head(NineMiB, "bbb-2", Uploaded.AddSeconds(-1))));
        Assert.False(MirrorRule.SameBytes(Head(NineMiB, "aaa-2", Uploaded), Head(NineMiB, "0123456789abcdef0123456789abcdef", Uploaded.AddSeconds(1))));
    }

    [Fact]
    public void Heads_with_the_same_etag_hold_the_same_bytes_and_another_size_never_does()
    {
        Assert.True(MirrorRule.SameBytes(Head(Small, "abc", Uploaded), Head(Small, "abc", Uploaded.AddSeconds(-5))));
        Assert.False(MirrorRule.SameBytes(Head(Small, "abc", Uploaded), Head(Small + 1, "abc", Uploaded.AddSeconds(5))));
    }

    [Fact]
    public void An_encrypted_object_whose_etags_cannot_match_is_the_same_in_a_newer_copy_of_its_size_and_other_bytes_in_an_older_one()
    {
        var kms = Head(Small, "11111111111111111111111111111111", Uploaded, opaque: true);

        Assert.True(MirrorRule.SameBytes(kms, Head(Small, "22222222222222222222222222222222", Uploaded.AddSeconds(1))));
        Assert.False(MirrorRule.SameBytes(kms, Head(Small, "22222222222222222222222222222222", Uploaded.AddSeconds(-1))));
        Assert.True(MirrorRule.SameBytes(Head(Small, "1111", Uploaded), Head(Small, "2222", Uploaded.AddSeconds(1), opaque: true)));
    }

    [Fact]
    public void Plain_etags_that_differ_mean_other_bytes_however_new_the_copy()
    {
        Assert.False(MirrorRule.SameBytes(Head(Small, "11111111111111111111111111111111", Uploaded), Head(Small, "22222222222222222222222222222222", Uploaded.AddDays(1))));
    }

    private static BucketObjectRecord Source(long size, string etag, string? storageClass = null) => new()
    {
        Key = "k",
        VersionId = BucketObjectRecord.NullVersion,
        Latest = true,
        LastModified = Uploaded,
        Size = size,
        ETag = etag,
        Attributes = storageClass is null ? ObjectAttributes.None : new ObjectAttributes { StorageClass = storageClass },
    };

    private static ListingEntry Found(long size, string etag, DateTimeOffset lastModified, string? storageClass = null) =>
        new("k", BucketObjectRecord.NullVersion, true, false, lastModified, size, etag, storageClass);

    private static ObjectHead Head(long size, string etag, DateTimeOffset lastModified, bool opaque = false) =>
        new(size, etag, lastModified, ObjectAttributes.None, TagCount: null, opaque);
}
