using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>'lifeboat restore bucket' through the executable: what it writes and prints, and each refusal in one line with its exit code.</summary>
public sealed class BucketsRestoreCliTests
{
    private const string AccessVariable = "LIFEBOAT_TEST_SOURCE_ACCESS";
    private const string SecretVariable = "LIFEBOAT_TEST_SOURCE_SECRET";
    private const string TargetAccessVariable = "LIFEBOAT_TEST_TARGET_ACCESS";
    private const string TargetSecretVariable = "LIFEBOAT_TEST_TARGET_SECRET";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_restore_as_of_a_moment_into_a_fresh_bucket_brings_that_state_back_and_says_what_it_did()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a b/one.txt", "one"u8.ToArray(), r => r.Metadata["owner"] = "alice");
        await source.PutAsync("two+%.bin", SourceBucket.Random(5000), BucketSnapshots.WithTags(new Dictionary<string, string> { ["team"] = "web" }));
        await source.PutAsync("empty", []);
        var config = WriteConfig(repo, source.Name);
        Assert.Equal(0, (await RunAsync(config, "backup", "buckets")).ExitCode);
        var first = await BucketState.ReadAsync(source.Client, source.Name);
        var between = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await Task.Delay(1100, Ct);
        await source.PutAsync("a b/one.txt", "changed"u8.ToArray());
        await source.DeleteAsync("empty");
        Assert.Equal(0, (await RunAsync(config, "backup", "buckets")).ExitCode);
        await using var target = await SourceBucket.CreateAsync();

        var restore = await RunAsync(config, "restore", "bucket", "--as-of", between, "--to-bucket", target.Name);

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        BucketState.AssertSame(first, await BucketState.ReadAsync(target.Client, target.Name));
        Assert.Contains($"as of {between} into s3://{target.Name}/ at {TestEnvironment.S3Endpoint}", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("  restored 3 objects (", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("  skipped 0 unchanged", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("  failed 0", restore.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_empty_target_without_force_is_refused_in_one_line_and_nothing_is_written()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        var config = WriteConfig(repo, source.Name);
        Assert.Equal(0, (await RunAsync(config, "backup", "buckets")).ExitCode);
        await source.PutAsync("a.txt", "overwritten"u8.ToArray());
        var before = await BucketState.ReadAsync(source.Client, source.Name);

        var restore = await RunAsync(config, "restore", "bucket", "--snapshot", "latest");

        Assert.Equal(2, restore.ExitCode);
        Assert.Equal(
            $"lifeboat: error: s3://{source.Name}/ at {TestEnvironment.S3Endpoint} already holds objects. hint: nothing was written; "
            + "restore into an empty bucket with --to-bucket, or add --force to write over what it holds (objects the snapshot lacks stay unless --delete-extra)",
            restore.Stderr.TrimEnd('\n'));
        BucketState.AssertSame(before, await BucketState.ReadAsync(source.Client, source.Name));
    }

    [Fact]
    public async Task A_dry_run_into_a_target_that_holds_objects_without_force_shows_its_plan_and_exits_2_saying_force_is_needed()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        var config = WriteConfig(repo, source.Name);
        Assert.Equal(0, (await RunAsync(config, "backup", "buckets")).ExitCode);
        await source.PutAsync("a.txt", "overwritten"u8.ToArray());
        var before = await BucketState.ReadAsync(source.Client, source.Name);

        var restore = await RunAsync(config, "restore", "bucket", "--snapshot", "latest", "--dry-run");

        Assert.Equal(2, restore.ExitCode);
        Assert.Contains("  would restore 1 objects (", restore.Stdout, StringComparison.Ordinal);
        Assert.Equal(
            $"lifeboat: error: s3://{source.Name}/ at {TestEnvironment.S3Endpoint} already holds objects. hint: nothing was written; "
            + "restore into an empty bucket with --to-bucket, or add --force to write over what it holds (objects the snapshot lacks stay unless --delete-extra)",
            restore.Stderr.TrimEnd('\n').Split('\n')[^1]); // after the plan's progress events
        BucketState.AssertSame(before, await BucketState.ReadAsync(source.Client, source.Name));
    }

    [Fact]
    public async Task A_missing_target_bucket_fails_in_one_line_naming_it_and_nothing_is_written()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        var config = WriteConfig(repo, source.Name);
        Assert.Equal(0, (await RunAsync(config, "backup", "buckets")).ExitCode);
        var before = await BucketState.ReadAsync(source.Client, source.Name);

        var restore = await RunAsync(config, "restore", "bucket", "--snapshot", "latest", "--to-bucket", "lifeboat-no-such-target");

        Assert.Equal(2, restore.ExitCode);
        Assert.Equal(
            $"lifeboat: error: target bucket lifeboat-no-such-target does not exist at {TestEnvironment.S3Endpoint}. hint: nothing was written; "
            + "check --to-bucket and --to-endpoint; a restore or mirror writes into a bucket that exists",
            restore.Stderr.TrimEnd('\n'));
        BucketState.AssertSame(before, await BucketState.ReadAsync(source.Client, source.Name));
    }

    [Fact]
    public async Task An_unreachable_target_endpoint_fails_in_one_line_naming_it_and_nothing_is_written()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        var config = WriteConfig(repo, source.Name);
        Assert.Equal(0, (await RunAsync(config, "backup", "buckets")).ExitCode);
        var before = await BucketState.ReadAsync(source.Client, source.Name);
        var endpoint = $"http://127.0.0.1:{FreeTcpPort.Pick()}";

        var restore = await RunAsync(
            config, "restore", "bucket", "--snapshot", "latest", "--to-endpoint", endpoint, "--to-bucket", "assets",
            "--to-access-key-env", TargetAccessVariable, "--to-secret-key-env", TargetSecretVariable);

        Assert.Equal(1, restore.ExitCode);
        Assert.StartsWith($"lifeboat: error: cannot reach S3 endpoint {endpoint}", restore.Stderr, StringComparison.Ordinal);
        Assert.EndsWith(
            "hint: check --to-endpoint (without it, buckets[].endpoint) and that the S3 server is running and reachable from here", restore.Stderr.TrimEnd('\n'), StringComparison.Ordinal);
        Assert.Single(restore.Stderr.TrimEnd('\n').Split('\n'));
        BucketState.AssertSame(before, await BucketState.ReadAsync(source.Client, source.Name));
    }

    [Fact]
    public async Task Without_to_bucket_a_snapshot_of_another_bucket_than_the_configured_one_is_refused_in_one_line()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var configuredNow = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        Assert.Equal(0, (await RunAsync(WriteConfig(repo, source.Name), "backup", "buckets")).ExitCode);
        var config = WriteConfig(repo, configuredNow.Name);

        var refused = await RunAsync(config, "restore", "bucket", "--snapshot", "latest");
        var named = await RunAsync(config, "restore", "bucket", "--snapshot", "latest", "--to-bucket", configuredNow.Name);

        Assert.Equal(2, refused.ExitCode);
        Assert.Single(refused.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains($"was taken of s3://{source.Name}/, but the source is now configured as s3://{configuredNow.Name}/", refused.Stderr, StringComparison.Ordinal);
        Assert.EndsWith(
            "hint: nothing was written; name the bucket to write into with --to-bucket (the snapshot's own bucket to restore it where it came from)",
            refused.Stderr.TrimEnd('\n'), StringComparison.Ordinal);
        Assert.True(named.ExitCode == 0, named.Stderr);
        Assert.Equal(["a.txt"], (await BucketState.ReadAsync(configuredNow.Client, configuredNow.Name)).Keys);
    }

    [Fact]
    public async Task A_corrupted_stored_object_is_named_not_written_and_the_restore_exits_1_after_writing_the_others()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var damaged = SourceBucket.Random(30_000);
        await source.PutAsync("damaged.bin", damaged);
        await source.PutAsync("fine.bin", SourceBucket.Random(30_000));
        var config = WriteConfig(repo, source.Name);
        Assert.Equal(0, (await RunAsync(config, "backup", "buckets")).ExitCode);
        await BucketRestoreTests.FlipStoredByteAsync(repo, damaged);
        await using var target = await SourceBucket.CreateAsync();

        var restore = await RunAsync(config, "restore", "bucket", "--snapshot", "latest", "--to-bucket", target.Name);

        Assert.Equal(1, restore.ExitCode);
        Assert.Equal(["fine.bin"], (await BucketState.ReadAsync(target.Client, target.Name)).Keys);
        Assert.Contains("'damaged.bin' was not restored: ", restore.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("lifeboat: error: 'damaged.bin' was not restored: ", restore.Stderr.TrimEnd('\n').Split('\n')[^1], StringComparison.Ordinal);
        Assert.Contains("  restored 1 objects", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("  failed 1", restore.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_prints_what_it_would_do_and_writes_nothing()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        await source.PutAsync("b.txt", "beta"u8.ToArray());
        var config = WriteConfig(repo, source.Name);
        Assert.Equal(0, (await RunAsync(config, "backup", "buckets")).ExitCode);
        await source.DeleteAsync("a.txt");
        await source.PutAsync("c.txt", "added"u8.ToArray());
        var before = await BucketState.ReadAsync(source.Client, source.Name);

        var restore = await RunAsync(config, "restore", "bucket", "--snapshot", "latest", "--force", "--delete-extra", "--dry-run");

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Contains("dry run: restore of snapshot ", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("  would restore 1 objects (", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("  would skip 1 unchanged", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("  would remove 1", restore.Stdout, StringComparison.Ordinal);
        BucketState.AssertSame(before, await BucketState.ReadAsync(source.Client, source.Name));
    }

    [Fact]
    public async Task One_version_of_one_key_comes_back_as_the_current_object_into_the_versioned_source()
    {
        await using var source = await SourceBucket.CreateAsync(versioned: true);
        await using var repo = await TestRepository.CreateLocalAsync();
        var wanted = await source.PutAsync("doc.txt", "the good one"u8.ToArray());
        await source.PutAsync("doc.txt", "a mistake"u8.ToArray());
        var config = WriteConfig(repo, source.Name);
        Assert.Equal(0, (await RunAsync(config, "backup", "buckets")).ExitCode);

        var restore = await RunAsync(config, "--json", "restore", "bucket", "--key", "doc.txt", "--version", wanted!);

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Contains("\"restored\":1,", restore.Stdout, StringComparison.Ordinal);
        Assert.Equal(SourceBucket.ShaOf("the good one"u8.ToArray()), (await BucketState.ReadAsync(source.Client, source.Name))["doc.txt"].Sha256);
    }

    [Fact]
    public async Task Target_keys_named_by_flags_are_used_and_a_wrong_one_fails_in_one_line_that_shows_no_secret()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        var config = WriteConfig(repo, source.Name);
        Assert.Equal(0, (await RunAsync(config, "backup", "buckets")).ExitCode);
        await using var target = await SourceBucket.CreateAsync();
        string[] arguments =
        [
            "--config", config, "restore", "bucket", "--snapshot", "latest", "--to-bucket", target.Name, "--to-endpoint", TestEnvironment.S3Endpoint,
            "--to-access-key-env", TargetAccessVariable, "--to-secret-key-env", TargetSecretVariable,
        ];

        var wrong = await Infrastructure.Cli.RunAsync(Keys(targetSecret: "not-the-target-secret"), arguments);
        var right = await Infrastructure.Cli.RunAsync(Keys(targetSecret: TestEnvironment.S3SecretKey), arguments);

        Assert.Equal(2, wrong.ExitCode);
        Assert.StartsWith($"lifeboat: error: S3 rejected the credentials for bucket {target.Name} at {TestEnvironment.S3Endpoint}", wrong.Stderr, StringComparison.Ordinal);
        Assert.Contains("check the keys named by --to-access-key-env and --to-secret-key-env", wrong.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-target-secret", wrong.Stderr, StringComparison.Ordinal);
        Assert.Single(wrong.Stderr.TrimEnd('\n').Split('\n'));
        Assert.True(right.ExitCode == 0, right.Stderr);
        Assert.Equal(["a.txt"], (await BucketState.ReadAsync(target.Client, target.Name)).Keys);
    }

    [Theory]
    [InlineData(new[] { "restore", "bucket" }, "lifeboat: error: give exactly one of --snapshot ID and --as-of TIME")]
    [InlineData(new[] { "restore", "bucket", "--snapshot", "latest", "--as-of", "2026-01-01T00:00:00Z" }, "lifeboat: error: give exactly one of --snapshot ID and --as-of TIME")]
    [InlineData(new[] { "restore", "bucket", "--as-of", "2026-01-01 10:00" }, "lifeboat: error: --as-of takes a moment with its time zone, such as 2026-12-03T10:42:35Z (UTC) or 2026-12-03T11:42:35+01:00, not '2026-01-01 10:00'")]
    [InlineData(new[] { "restore", "bucket", "--version", "abc" }, "lifeboat: error: --version needs --key: a version is one key's")]
    [InlineData(new[] { "restore", "bucket", "--snapshot", "latest", "--key", "k", "--delete-extra" }, "lifeboat: error: --key restores one object: --prefix and --delete-extra do not apply")]
    [InlineData(new[] { "restore", "bucket", "--snapshot", "latest", "--to-endpoint", "http://127.0.0.1:1" }, "lifeboat: error: --to-endpoint needs --to-access-key-env and --to-secret-key-env: the source's keys belong to its own server")]
    public async Task Options_that_do_not_fit_together_are_usage_errors_in_one_line(string[] arguments, string expected)
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, "any-bucket");

        var restore = await RunAsync(config, arguments);

        Assert.Equal(2, restore.ExitCode);
        Assert.Equal(expected, restore.Stderr.TrimEnd('\n'));
    }

    private static Task<Infrastructure.Cli.Result> RunAsync(string config, params string[] arguments) =>
        Infrastructure.Cli.RunAsync(Keys(), ["--config", config, .. arguments]);

    private static Dictionary<string, string?> Keys(string? targetSecret = null) => new()
    {
        [AccessVariable] = TestEnvironment.S3AccessKey,
        [SecretVariable] = TestEnvironment.S3SecretKey,
        [TargetAccessVariable] = TestEnvironment.S3AccessKey,
        [TargetSecretVariable] = targetSecret ?? TestEnvironment.S3SecretKey,
    };

    private static string WriteConfig(TestRepository repo, string bucket) =>
        repo.Config()
            .Set("buckets[0].name", "assets")
            .Set("buckets[0].endpoint", TestEnvironment.S3Endpoint)
            .Set("buckets[0].region", TestEnvironment.S3Region)
            .Set("buckets[0].bucket", bucket)
            .Set("buckets[0].accessKeyEnv", AccessVariable)
            .Set("buckets[0].secretKeyEnv", SecretVariable)
            .WriteTo(Path.Combine(repo.Directory, "lifeboat.yaml"));
}
