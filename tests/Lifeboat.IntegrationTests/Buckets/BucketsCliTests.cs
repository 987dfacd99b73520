using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>'lifeboat backup buckets' through the executable: a snapshot that list and show describe, and each fault in one line with its exit code and no manifest.</summary>
public sealed class BucketsCliTests
{
    private const string AccessVariable = "LIFEBOAT_TEST_SOURCE_ACCESS";
    private const string SecretVariable = "LIFEBOAT_TEST_SOURCE_SECRET";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_backup_takes_a_snapshot_that_list_and_show_describe()
    {
        await using var source = await SourceBucket.CreateAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        await source.PutAsync("b/c.bin", SourceBucket.Random(10_000));
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source.Name, TestEnvironment.S3Endpoint);

        var backup = await Infrastructure.Cli.RunAsync(Keys(), "--config", config, "backup", "buckets");
        var list = await Infrastructure.Cli.RunAsync(Keys(), "--config", config, "list", "--json");
        var show = await Infrastructure.Cli.RunAsync(Keys(), "--config", config, "show", "latest");

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.Contains($"buckets/assets (s3://{source.Name}/, unversioned), 2 objects", backup.Stdout, StringComparison.Ordinal);
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains("\"objects\":2", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"bytes\":10005", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"newBytesStored\":", list.Stdout, StringComparison.Ordinal);
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Contains(source.Name, show.Stdout, StringComparison.Ordinal);
        Assert.Contains("new bytes stored", show.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_source_bucket_fails_in_one_line_naming_it_and_records_nothing()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, "lifeboat-no-such-bucket", TestEnvironment.S3Endpoint);

        var backup = await Infrastructure.Cli.RunAsync(Keys(), "--config", config, "backup", "buckets");

        Assert.Equal(2, backup.ExitCode);
        Assert.Equal(
            $"lifeboat: error: source bucket lifeboat-no-such-bucket does not exist at {TestEnvironment.S3Endpoint}. hint: check buckets[].bucket and endpoint",
            backup.Stderr.TrimEnd('\n'));
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task Wrong_credentials_fail_in_one_line_that_shows_no_secret_and_record_nothing()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source.Name, TestEnvironment.S3Endpoint);

        var backup = await Infrastructure.Cli.RunAsync(Keys(secret: "not-the-secret"), "--config", config, "backup", "buckets");

        Assert.Equal(2, backup.ExitCode);
        Assert.StartsWith($"lifeboat: error: S3 rejected the credentials for bucket {source.Name} at {TestEnvironment.S3Endpoint} (SignatureDoesNotMatch)", backup.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: check the access key and secret key named by buckets[].accessKeyEnv and secretKeyEnv", backup.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", backup.Stderr, StringComparison.Ordinal);
        Assert.Single(backup.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    [Fact]
    public async Task An_unreachable_source_fails_in_one_line_naming_the_endpoint_and_records_nothing()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var endpoint = $"http://127.0.0.1:{FreeTcpPort.Pick()}";
        var config = WriteConfig(repo, "assets-bucket", endpoint);

        var backup = await Infrastructure.Cli.RunAsync(Keys(), "--config", config, "backup", "buckets");

        Assert.Equal(1, backup.ExitCode);
        Assert.StartsWith($"lifeboat: error: cannot reach S3 endpoint {endpoint}", backup.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: check buckets[].endpoint and that the S3 server is running and reachable from here", backup.Stderr, StringComparison.Ordinal);
        Assert.Single(backup.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Empty(await repo.Repository.ListBackupsAsync(null, Ct));
    }

    private static Dictionary<string, string?> Keys(string? secret = null) => new()
    {
        [AccessVariable] = TestEnvironment.S3AccessKey,
        [SecretVariable] = secret ?? TestEnvironment.S3SecretKey,
    };

    private static string WriteConfig(TestRepository repo, string bucket, string endpoint) =>
        repo.Config()
            .Set("buckets[0].name", "assets")
            .Set("buckets[0].endpoint", endpoint)
            .Set("buckets[0].region", TestEnvironment.S3Region)
            .Set("buckets[0].bucket", bucket)
            .Set("buckets[0].accessKeyEnv", AccessVariable)
            .Set("buckets[0].secretKeyEnv", SecretVariable)
            .WriteTo(Path.Combine(repo.Directory, "lifeboat.yaml"));
}
