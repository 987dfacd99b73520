using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

public class S3LocationTests
{
    private static readonly S3Location Location = new("bucket", "repo", "http://127.0.0.1:9", "us-east-1", "access-id", "super-secret");

    [Fact]
    public void Printing_the_settings_hides_the_secret_key()
    {
        var printed = Location.ToString();

        Assert.DoesNotContain("super-secret", printed, StringComparison.Ordinal);
        Assert.Contains("SecretKey = ***", printed, StringComparison.Ordinal);
        Assert.Contains("bucket", printed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(S3Location.MinPartSize - 1)]
    [InlineData(S3Location.MaxPartSize + 1)]
    public void A_part_size_outside_what_S3_allows_is_a_usage_error(int partSize)
    {
        var error = Assert.Throws<LifeboatException>(() => new S3ObjectStore(Location with { PartSize = partSize }));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Contains("part size", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endpoint_that_is_no_url_is_a_usage_error() =>
        Assert.Equal(FailureKind.Usage, Assert.Throws<LifeboatException>(() => new S3ObjectStore(Location with { Endpoint = "127.0.0.1:9000" })).Kind);

    [Fact]
    public void Without_an_endpoint_the_store_is_described_as_aws()
    {
        Assert.Equal("AWS S3 (eu-west-1)", (Location with { Endpoint = null, Region = "eu-west-1" }).EndpointDescription);
    }
}
