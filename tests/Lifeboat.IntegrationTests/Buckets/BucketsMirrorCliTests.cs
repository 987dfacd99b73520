using Lifeboat.TestKit.Configuration;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>'lifeboat mirror' through the executable: what it copies and prints, and each refusal in one line with its exit code and nothing written.</summary>
public sealed class BucketsMirrorCliTests : IDisposable
{
    private const string AccessVariable = "LIFEBOAT_TEST_SOURCE_ACCESS";
    private const string SecretVariable = "LIFEBOAT_TEST_SOURCE_SECRET";
    private const string TargetAccessVariable = "LIFEBOAT_TEST_TARGET_ACCESS";
    private const string TargetSecretVariable = "LIFEBOAT_TEST_TARGET_SECRET";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("lifeboat-mirror-cli-");

    [Fact]
    public async Task A_mirror_copies_the_bucket_says_what_it_did_and_needs_no_repository()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutAsync("a b/one.txt", "one"u8.ToArray(), r => r.Metadata["owner"] = "alice");
        await source.PutAsync("two+%.bin", SourceBucket.Random(5000), BucketSnapshots.WithTags(new Dictionary<string, string> { ["team"] = "web" }));
        await source.PutAsync("empty", []);
        var config = WriteConfig(source.Name);

        var first = await RunAsync(config, "mirror", "--to-bucket", target.Name);
        var second = await RunAsync(config, "--json", "mirror", "--to-bucket", target.Name);

        Assert.True(first.ExitCode == 0, first.Stderr);
        BucketState.AssertSame(await BucketState.ReadAsync(source.Client, source.Name), await BucketState.ReadAsync(target.Client, target.Name));
        Assert.Contains($"mirror of s3://{source.Name}/ at {TestEnvironment.S3Endpoint} into s3://{target.Name}/ at {TestEnvironment.S3Endpoint}", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("  copied 3 objects (", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("  skipped 0 unchanged", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("  failed 0", first.Stdout, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("\"copied\":0,\"copiedBytes\":0,\"metadataFixed\":0,\"skippedUnchanged\":3,", second.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_more_than_the_configured_share_is_refused_in_one_line_with_exit_2_after_the_rest_was_copied()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        foreach (var key in new[] { "a", "b", "c", "d" })
            await source.PutAsync(key, "x"u8.ToArray());
        var config = WriteConfig(source.Name, removeLimitPercent: "25");
        Assert.Equal(0, (await RunAsync(config, "mirror", "--to-bucket", target.Name)).ExitCode);
        await source.DeleteAsync("a");
        await source.DeleteAsync("b");
        await source.PutAsync("e", "new"u8.ToArray());

        var refused = await RunAsync(config, "mirror", "--to-bucket", target.Name, "--remove");
        var refusedJson = await RunAsync(config, "--json", "mirror", "--to-bucket", target.Name, "--remove");
        var kept = await BucketState.ReadAsync(target.Client, target.Name);
        var forced = await RunAsync(config, "mirror", "--to-bucket", target.Name, "--remove", "--force");

        string Line(int held, int share) =>
            $"mirroring s3://{source.Name}/ at {TestEnvironment.S3Endpoint} would remove 2 of the {held} objects in s3://{target.Name}/ at {TestEnvironment.S3Endpoint} ({share} %), "
            + "more than the 25 % one run may remove";
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal(
            $"lifeboat: error: {Line(4, 50)}. hint: check that the source lists what it should; nothing was removed; "
            + "if the source really lost those objects, run 'lifeboat mirror --remove --force' once, or raise buckets[].mirrorRemoveLimitPercent",
            refused.Stderr.TrimEnd('\n').Split('\n')[^1]); // after the run's log lines
        Assert.Contains("  copied 1 objects (", refused.Stdout, StringComparison.Ordinal);
        Assert.Contains("  removed 0 (refused to remove 2: see the error below)", refused.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, refusedJson.ExitCode);
        Assert.Contains($"\"removed\":0,\"extraKept\":0,\"removalsRefused\":2,\"removalRefused\":\"{Line(5, 40)}\",", refusedJson.Stdout, StringComparison.Ordinal);
        Assert.Equal(["a", "b", "c", "d", "e"], kept.Keys);
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        Assert.Contains("  removed 2", forced.Stdout, StringComparison.Ordinal);
        Assert.Equal(["c", "d", "e"], (await BucketState.ReadAsync(target.Client, target.Name)).Keys);
    }

    [Fact]
    public async Task A_dry_run_prints_what_it_would_do_and_writes_nothing()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        await target.PutAsync("old.txt", "the source lacks it"u8.ToArray());
        var config = WriteConfig(source.Name, removeLimitPercent: "100");

        var dryRun = await RunAsync(config, "mirror", "--to-bucket", target.Name, "--remove", "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.Stderr);
        Assert.Contains("dry run: mirror of ", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains("  would copy 1 objects (5 B)", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains("  would remove 1", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Equal(["old.txt"], (await BucketState.ReadAsync(target.Client, target.Name)).Keys);
    }

    [Fact]
    public async Task A_missing_target_bucket_fails_in_one_line_naming_it()
    {
        await using var source = await SourceBucket.CreateAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());

        var mirror = await RunAsync(WriteConfig(source.Name), "mirror", "--to-bucket", "lifeboat-no-such-mirror");

        Assert.Equal(2, mirror.ExitCode);
        Assert.Equal(
            $"lifeboat: error: target bucket lifeboat-no-such-mirror does not exist at {TestEnvironment.S3Endpoint}. hint: nothing was written; "
            + "check --to-bucket and --to-endpoint; a restore or mirror writes into a bucket that exists",
            mirror.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task Wrong_target_credentials_fail_in_one_line_that_shows_no_secret_and_nothing_is_written()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());

        var mirror = await Infrastructure.Cli.RunAsync(
            Keys(targetSecret: "not-the-target-secret"),
            "--config", WriteConfig(source.Name), "mirror", "--to-bucket", target.Name, "--to-endpoint", TestEnvironment.S3Endpoint,
            "--to-access-key-env", TargetAccessVariable, "--to-secret-key-env", TargetSecretVariable);

        Assert.Equal(2, mirror.ExitCode);
        Assert.StartsWith($"lifeboat: error: S3 rejected the credentials for bucket {target.Name} at {TestEnvironment.S3Endpoint}", mirror.Stderr, StringComparison.Ordinal);
        Assert.Contains("check the keys named by --to-access-key-env and --to-secret-key-env", mirror.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-target-secret", mirror.Stderr, StringComparison.Ordinal);
        Assert.Single(mirror.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Empty(await BucketState.ReadAsync(target.Client, target.Name));
    }

    [Fact]
    public async Task An_unreachable_target_fails_in_one_line_naming_its_endpoint()
    {
        await using var source = await SourceBucket.CreateAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        var endpoint = $"http://127.0.0.1:{FreeTcpPort.Pick()}";

        var mirror = await Infrastructure.Cli.RunAsync(
            Keys(), "--config", WriteConfig(source.Name), "mirror", "--to-bucket", "mirror", "--to-endpoint", endpoint,
            "--to-access-key-env", TargetAccessVariable, "--to-secret-key-env", TargetSecretVariable);

        Assert.Equal(1, mirror.ExitCode);
        Assert.StartsWith($"lifeboat: error: cannot reach S3 endpoint {endpoint}", mirror.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: check --to-endpoint (without it, buckets[].endpoint) and that the S3 server is running and reachable from here", mirror.Stderr, StringComparison.Ordinal);
        Assert.Single(mirror.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData(new[] { "mirror" }, "lifeboat: error: --to-bucket needs a value. hint: see 'lifeboat mirror --help'")]
    [InlineData(new[] { "mirror", "--to-bucket", "b", "--force" }, "lifeboat: error: --force applies to --remove only: a mirror without removals has nothing to force")]
    [InlineData(new[] { "mirror", "--to-bucket", "b", "--prefix", "" }, "lifeboat: error: --prefix needs a value")]
    [InlineData(new[] { "mirror", "--to-bucket", "any-bucket" }, "lifeboat: error: s3://any-bucket at http://127.0.0.1:1 is the source bucket itself. hint: a mirror is written into another bucket; check --to-bucket and --to-endpoint; a restore or mirror writes into a bucket that exists")]
    public async Task Options_that_do_not_fit_are_usage_errors_in_one_line(string[] arguments, string expected)
    {
        var mirror = await RunAsync(WriteConfig("any-bucket", endpoint: "http://127.0.0.1:1"), arguments);

        Assert.Equal(2, mirror.ExitCode);
        Assert.Equal(expected, mirror.Stderr.TrimEnd('\n'));
    }

    [Theory]
    [InlineData("101")]
    [InlineData("-1")]
    public async Task A_remove_limit_outside_0_to_100_is_a_configuration_error(string limit)
    {
        var mirror = await RunAsync(WriteConfig("any-bucket", removeLimitPercent: limit), "mirror", "--to-bucket", "other");

        Assert.Equal(2, mirror.ExitCode);
        Assert.Contains("buckets[0].mirrorRemoveLimitPercent", mirror.Stderr, StringComparison.Ordinal);
        Assert.Single(mirror.Stderr.TrimEnd('\n').Split('\n'));
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static Task<Infrastructure.Cli.Result> RunAsync(string config, params string[] arguments) =>
        Infrastructure.Cli.RunAsync(Keys(), ["--config", config, .. arguments]);

    private static Dictionary<string, string?> Keys(string? targetSecret = null) => new()
    {
        [AccessVariable] = TestEnvironment.S3AccessKey,
        [SecretVariable] = TestEnvironment.S3SecretKey,
        [TargetAccessVariable] = TestEnvironment.S3AccessKey,
        [TargetSecretVariable] = targetSecret ?? TestEnvironment.S3SecretKey,
    };

    // The repository named here does not exist: a mirror reads the bucket's entry and nothing else.
    private string WriteConfig(string bucket, string? endpoint = null, string? removeLimitPercent = null)
    {
        var directory = _directory.FullName;
        var config = new LifeboatConfigBuilder()
            .RepositoryUrl(Path.Combine(directory, "no-repository-here"))
            .Set("buckets[0].name", "assets")
            .Set("buckets[0].endpoint", endpoint ?? TestEnvironment.S3Endpoint)
            .Set("buckets[0].region", TestEnvironment.S3Region)
            .Set("buckets[0].bucket", bucket)
            .Set("buckets[0].accessKeyEnv", AccessVariable)
            .Set("buckets[0].secretKeyEnv", SecretVariable);
        if (removeLimitPercent is not null)
            config.Set("buckets[0].mirrorRemoveLimitPercent", removeLimitPercent);
        return config.WriteTo(Path.Combine(directory, "lifeboat.yaml"));
    }
}
