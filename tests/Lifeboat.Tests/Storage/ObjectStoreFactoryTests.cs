using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

public class ObjectStoreFactoryTests
{
    private static S3Location Settings(string bucket, string prefix) =>
        new(bucket, prefix, "http://127.0.0.1:9", "us-east-1", "access", "secret");

    [Fact]
    public async Task A_plain_relative_path_is_a_file_store_rooted_at_its_full_path()
    {
        await using var store = ObjectStoreFactory.Open("lifeboat-repo");

        Assert.Equal(Path.GetFullPath("lifeboat-repo"), Assert.IsType<FileObjectStore>(store).RootDirectory);
    }

    [Fact]
    public async Task A_file_url_is_a_file_store_at_its_unescaped_path()
    {
        await using var store = ObjectStoreFactory.Open("file:///var/backups/life%20boat/");

        Assert.Equal("/var/backups/life boat", Assert.IsType<FileObjectStore>(store).RootDirectory);
        Assert.Equal("file:///var/backups/life boat", store.Location);
    }

    [Fact]
    public async Task An_s3_url_gives_its_bucket_and_prefix_to_the_settings()
    {
        await using var store = ObjectStoreFactory.Open("s3://backups/lifeboat/prod/", Settings);

        var s3 = Assert.IsType<S3ObjectStore>(store).S3;
        Assert.Equal(("backups", "lifeboat/prod"), (s3.Bucket, s3.Prefix));
        Assert.Equal("s3://backups/lifeboat/prod/ at http://127.0.0.1:9", store.Location);
    }

    [Fact]
    public async Task An_s3_url_without_a_prefix_uses_the_whole_bucket()
    {
        await using var store = ObjectStoreFactory.Open("s3://backups", Settings);

        Assert.Equal("", Assert.IsType<S3ObjectStore>(store).S3.Prefix);
    }

    [Fact]
    public async Task A_file_repository_never_asks_for_s3_settings()
    {
        await using var store = ObjectStoreFactory.Open("/tmp/x", (_, _) => throw new InvalidOperationException("asked"));

        Assert.IsType<FileObjectStore>(store);
    }

    [Theory]
    [InlineData("s3://bucket/p", "no S3 settings")]
    [InlineData("s3:///prefix", "no bucket")]
    [InlineData("http://example/x", "only s3:// and file://")]
    [InlineData("file://otherhost/x", "local path")]
    [InlineData("  ", "empty")]
    public void Unusable_urls_are_usage_errors(string url, string reason)
    {
        var error = Assert.Throws<LifeboatException>(() => ObjectStoreFactory.Open(url));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Usage, error.Kind);
    }
}
