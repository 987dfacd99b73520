using System.Security.Cryptography;
using Lifeboat.Buckets.Content;

namespace Lifeboat.Tests.Buckets;

public sealed class ContentDigestTests
{
    [Fact]
    public void A_digest_round_trips_through_its_hex_and_orders_as_its_hex_does()
    {
        var digests = Enumerable.Range(0, 50).Select(_ => ContentDigest.FromBytes(RandomNumberGenerator.GetBytes(32))).ToList();

        Assert.All(digests, d => Assert.Equal(d, ContentDigest.Parse(d.ToString(), "test")));
        Assert.Equal(digests.Select(d => d.ToString()).Order(StringComparer.Ordinal), digests.Order().Select(d => d.ToString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g")]
    public void Anything_but_64_hex_digits_is_no_digest(string? text)
    {
        Assert.False(ContentDigest.TryParse(text, out _));
    }

    [Fact]
    public void The_empty_content_has_the_well_known_address()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ContentDigest.Empty.ToString());
    }
}
