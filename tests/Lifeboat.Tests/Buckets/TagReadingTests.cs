using Lifeboat.Buckets.Source;

namespace Lifeboat.Tests.Buckets;

public sealed class TagReadingTests
{
    [Fact]
    public void A_first_run_asks_for_tags_until_a_tagged_object_proves_the_server_sends_the_tag_count()
    {
        var tags = new TagReading(headerTrusted: false);
        Assert.True(tags.AskAlways);

        tags.Observe(tagCount: 2, tags: 2);

        Assert.False(tags.AskAlways);
        Assert.True(tags.HeaderSeen);
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData(null, 3)]
    [InlineData(0, 0)]
    [InlineData(2, 0)]
    public void A_missing_or_unconfirmed_tag_count_proves_nothing_and_tags_are_still_asked_for(int? tagCount, int tagsFound)
    {
        var tags = new TagReading(headerTrusted: false);

        tags.Observe(tagCount, tagsFound);

        Assert.True(tags.AskAlways);
        Assert.False(tags.HeaderSeen);
    }

    [Fact]
    public void A_header_an_earlier_run_saw_is_trusted_from_the_start()
    {
        var tags = new TagReading(headerTrusted: true);

        Assert.False(tags.AskAlways);
        Assert.True(tags.HeaderSeen);
    }
}
