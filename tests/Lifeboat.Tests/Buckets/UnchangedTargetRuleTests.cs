using Lifeboat.Buckets;
using Lifeboat.Buckets.Restore;
using static Lifeboat.Tests.Buckets.FakeSourceBucket;

namespace Lifeboat.Tests.Buckets;

/// <summary>When a restore leaves a target object alone, looks at it, or writes it again (design §5).</summary>
public sealed class UnchangedTargetRuleTests
{
    private static readonly DateTimeOffset Then = At("2026-05-01T10:00:00.123Z");

    private static readonly BucketObjectRecord Wanted = new()
    {
        Key = "k",
        VersionId = "null",
        Latest = true,
        LastModified = Then,
        Size = 5,
        ETag = "abc-2",
        Sha256 = new string('a', 64),
    };

    [Fact]
    public void The_same_size_etag_and_last_modified_is_that_very_object_and_is_skipped_without_a_request()
    {
        Assert.Equal(PlanAction.Skip, UnchangedTargetRule.Match(Wanted, new ListingEntry("k", "null", true, false, Then, 5, "\"ABC-2\"")));
    }

    [Fact]
    public void The_same_bytes_under_another_timestamp_is_looked_at_for_its_metadata()
    {
        Assert.Equal(PlanAction.Look, UnchangedTargetRule.Match(Wanted, new ListingEntry("k", "null", true, false, Then.AddSeconds(1), 5, "abc-2")));
    }

    [Fact]
    public void An_untouched_object_recorded_with_tags_is_looked_at_because_retagging_keeps_its_timestamp()
    {
        var tagged = Wanted with { Attributes = new ObjectAttributes { Tags = new Dictionary<string, string> { ["team"] = "3d" } } };

        Assert.Equal(PlanAction.Look, UnchangedTargetRule.Match(tagged, new ListingEntry("k", "null", true, false, Then, 5, "abc-2")));
    }

    [Theory]
    [InlineData(null, "STANDARD", PlanAction.Skip)]
    [InlineData("STANDARD", null, PlanAction.Skip)]
    [InlineData(null, "GLACIER", PlanAction.Look)] // a lifecycle transition keeps the timestamp
    [InlineData("STANDARD_IA", "STANDARD", PlanAction.Look)]
    public void An_untouched_object_listed_in_another_storage_class_is_looked_at(string? recorded, string? listed, PlanAction expected)
    {
        var wanted = Wanted with { Attributes = new ObjectAttributes { StorageClass = recorded } };

        Assert.Equal(expected, UnchangedTargetRule.Match(wanted, new ListingEntry("k", "null", true, false, Then, 5, "abc-2", listed)));
    }

    [Theory]
    [InlineData(6, "abc-2")]
    [InlineData(5, "abd-2")]
    [InlineData(5, "")]
    public void Another_size_or_etag_or_none_is_written_again(long size, string etag)
    {
        Assert.Equal(PlanAction.Write, UnchangedTargetRule.Match(Wanted, new ListingEntry("k", "null", true, false, Then, size, etag)));
    }

    [Fact]
    public void Equal_attributes_differ_in_nothing_and_standard_is_the_same_as_no_storage_class()
    {
        var wanted = Attributes() with { StorageClass = "STANDARD" };

        Assert.Equal(AttributeDifference.None, UnchangedTargetRule.Compare(wanted, Attributes()));
    }

    [Fact]
    public void A_record_without_a_content_type_accepts_the_targets_default()
    {
        Assert.Equal(AttributeDifference.None, UnchangedTargetRule.Compare(Attributes() with { ContentType = null }, Attributes() with { ContentType = "binary/octet-stream" }));
    }

    [Fact]
    public void An_expires_header_in_another_date_format_for_the_same_instant_is_the_same()
    {
        var wanted = Attributes() with { Expires = "Thu, 01 Dec 2044 16:00:00 GMT" };

        Assert.Equal(AttributeDifference.None, UnchangedTargetRule.Compare(wanted, Attributes() with { Expires = "2044-12-01T16:00:00Z" }));
        Assert.Equal(AttributeDifference.Headers, UnchangedTargetRule.Compare(wanted, Attributes() with { Expires = "2044-12-01T17:00:00Z" }));
    }

    [Fact]
    public void Headers_metadata_tags_and_storage_class_are_told_apart()
    {
        var wanted = Attributes();

        Assert.Equal(AttributeDifference.Headers, UnchangedTargetRule.Compare(wanted, wanted with { CacheControl = "no-cache" }));
        Assert.Equal(AttributeDifference.Headers, UnchangedTargetRule.Compare(wanted, wanted with { Metadata = new Dictionary<string, string> { ["owner"] = "bob" } }));
        Assert.Equal(AttributeDifference.Tags, UnchangedTargetRule.Compare(wanted, wanted with { Tags = new Dictionary<string, string>() }));
        Assert.Equal(AttributeDifference.StorageClass, UnchangedTargetRule.Compare(wanted, wanted with { StorageClass = "GLACIER" }));
        Assert.Equal(
            AttributeDifference.Headers | AttributeDifference.Tags,
            UnchangedTargetRule.Compare(wanted, wanted with { ContentLanguage = "en", Tags = new Dictionary<string, string> { ["team"] = "web" } }));
    }

    private static ObjectAttributes Attributes() => new()
    {
        ContentType = "text/plain",
        ContentLanguage = "de",
        Metadata = new Dictionary<string, string> { ["owner"] = "alice" },
        Tags = new Dictionary<string, string> { ["team"] = "3d" },
    };
}
