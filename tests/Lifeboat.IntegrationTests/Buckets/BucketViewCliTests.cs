using System.Diagnostics;
using System.Text.Json;
using Amazon.S3.Model;
using Lifeboat.Buckets.Content;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.IntegrationTests.Postgres;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>
/// 'versions', 'cat' of one object, 'check' and 'doctor' of bucket sources through the executable, against buckets on
/// the devstack's radosgw and a local repository (so tests can damage what it stores).
/// </summary>
public sealed class BucketViewCliTests
{
    private const string AccessVariable = "LIFEBOAT_TEST_SOURCE_ACCESS";
    private const string SecretVariable = "LIFEBOAT_TEST_SOURCE_SECRET";
    private const string AwkwardKey = "photos/2026 05//ünï+%?#&=.jpg";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Versions_after_two_backups_of_a_versioned_bucket_joins_the_sources_history_with_lifeboats()
    {
        await using var source = await SourceBucket.CreateAsync(versioned: true);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source.Name, TestEnvironment.S3Endpoint);
        var v1 = await source.PutAsync(AwkwardKey, "one"u8.ToArray());
        await source.PutAsync(AwkwardKey + "-longer", "a key the key is a prefix of"u8.ToArray());
        var first = await RunAsync(config, "backup", "buckets");
        await Task.Delay(20, Ct);
        var v2 = await source.PutAsync(AwkwardKey, "two"u8.ToArray());
        await Task.Delay(20, Ct);
        var v3 = await source.PutAsync(AwkwardKey, "three"u8.ToArray());
        var second = await RunAsync(config, "backup", "buckets", "--json");
        await Task.Delay(20, Ct);
        var marker = await source.Client.DeleteObjectAsync(source.Name, AwkwardKey, Ct);
        await source.Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = source.Name, Key = AwkwardKey, VersionId = v1 }, Ct);

        var json = await RunAsync(config, "versions", "--key", AwkwardKey, "--json");
        var table = await RunAsync(config, "versions", "--key", AwkwardKey);

        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first.Stderr + second.Stderr);
        Assert.True(json.ExitCode == 0, json.Stderr);
        using var history = JsonDocument.Parse(json.Stdout);
        Assert.Equal(IdOf(second), history.RootElement.GetProperty("snapshot").GetString());
        Assert.True(history.RootElement.GetProperty("sourceListed").GetBoolean());
        var rows = history.RootElement.GetProperty("versions").EnumerateArray()
            .Select(v => (Id: v.GetProperty("versionId").GetString(), State: v.GetProperty("state").GetString(), AtSource: v.GetProperty("atSource").GetBoolean(), InLifeboat: v.GetProperty("inLifeboat").GetBoolean()))
            .ToList();
        var expected = new List<(string?, string?, bool, bool)>
        {
            (marker.VersionId, "delete-marker", true, false),
            (v3, "non-current", true, true),
            (v2, "non-current", true, true),
            (v1, "non-current", false, true),
        };
        Assert.Equal(expected, rows);
        var newest = history.RootElement.GetProperty("versions")[1];
        Assert.Equal(SourceBucket.ShaOf("three"u8.ToArray()), newest.GetProperty("sha256").GetString());
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains("expired", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("delete marker", table.Stdout, StringComparison.Ordinal);
        Assert.Contains(SourceBucket.ShaOf("two"u8.ToArray())[..12], table.Stdout, StringComparison.Ordinal);
        Assert.Empty(table.Stderr);
    }

    [Fact]
    public async Task Versions_of_an_unreachable_source_shows_lifeboats_history_after_one_warning_line()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        var backup = await RunAsync(WriteConfig(repo, source.Name, TestEnvironment.S3Endpoint), "backup", "buckets");
        var endpoint = $"http://127.0.0.1:{FreeTcpPort.Pick()}";
        var unreachable = WriteConfig(repo, source.Name, endpoint);

        var versions = await RunAsync(unreachable, "versions", "--key", "a.txt");

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.True(versions.ExitCode == 0, versions.Stderr);
        var warning = Assert.Single(versions.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"lifeboat: warning: the source was not listed, so only Lifeboat's history is shown: cannot reach S3 endpoint {endpoint}", warning, StringComparison.Ordinal);
        Assert.Contains("hint: check buckets[].endpoint", warning, StringComparison.Ordinal);
        Assert.Contains(SourceBucket.ShaOf("alpha"u8.ToArray())[..12], versions.Stdout, StringComparison.Ordinal);
        Assert.Contains("unknown", versions.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cat_writes_an_awkward_key_a_chosen_version_and_a_large_object_byte_for_byte()
    {
        await using var source = await SourceBucket.CreateAsync(versioned: true);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source.Name, TestEnvironment.S3Endpoint);
        var older = SourceBucket.Random(3_000);
        var newer = SourceBucket.Random(5_000);
        var large = SourceBucket.Random((5 << 20) + 17);
        var olderId = await source.PutAsync(AwkwardKey, older);
        await source.PutAsync(AwkwardKey, newer);
        await source.PutAsync("big/asset.glb", large);
        await source.PutAsync("empty", []);
        var backup = await RunAsync(config, "backup", "buckets", "--json");
        var id = IdOf(backup);

        var current = await CatAsync(config, id, AwkwardKey);
        var byVersion = await CatAsync(config, id, AwkwardKey, "--version", olderId!);
        var bySha = await CatAsync(config, id, AwkwardKey, "--version", SourceBucket.ShaOf(older)[..10]);
        var big = await CatAsync(config, id, "big/asset.glb");
        var empty = await CatAsync(config, id, "empty");
        var missing = await CatAsync(config, id, "photos/nope.jpg");
        var noKey = await CatAsync(config, id);

        Assert.True(current.ExitCode + byVersion.ExitCode + bySha.ExitCode == 0, current.Stderr + byVersion.Stderr + bySha.Stderr);
        Assert.Equal(newer, current.Stdout);
        Assert.Equal(older, byVersion.Stdout);
        Assert.Equal(older, bySha.Stdout);
        Assert.Equal(SourceBucket.ShaOf(large), SourceBucket.ShaOf(big.Stdout));
        Assert.Equal((0, 0), (empty.ExitCode, empty.Stdout.Length));
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal($"lifeboat: error: snapshot {id} holds no object 'photos/nope.jpg'. hint: a key is matched whole and exactly, case and slashes included\n", missing.Stderr);
        Assert.Equal(2, noKey.ExitCode);
        Assert.StartsWith($"lifeboat: error: backup {id} is a bucket snapshot: name the object to write", noKey.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cat_of_a_corrupted_stored_object_fails_in_one_line_naming_its_pack_and_a_small_one_writes_nothing()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source.Name, TestEnvironment.S3Endpoint);
        var small = SourceBucket.Random(20_000);
        var large = SourceBucket.Random((5 << 20) + 3);
        await source.PutAsync("small.bin", small);
        await source.PutAsync("large.bin", large);
        var id = IdOf(await RunAsync(config, "backup", "buckets", "--json"));
        var smallPack = await FlipInBlobAsync(repo, small, fromEnd: false);
        var largePack = await FlipInBlobAsync(repo, large, fromEnd: true);

        var smallCat = await CatAsync(config, id, "small.bin");
        var largeCat = await CatAsync(config, id, "large.bin");

        Assert.Equal(1, smallCat.ExitCode);
        Assert.Empty(smallCat.Stdout);
        var line = Assert.Single(smallCat.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"lifeboat: error: object '{smallPack} at bytes ", line, StringComparison.Ordinal);
        Assert.Contains("is corrupt", line, StringComparison.Ordinal);
        Assert.Contains("'lifeboat check --read-data' lists every damaged object", line, StringComparison.Ordinal);
        Assert.Equal(1, largeCat.ExitCode);
        Assert.True(largeCat.Stdout.Length < large.Length);
        var largeLine = Assert.Single(largeCat.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"lifeboat: error: object '{largePack} at bytes ", largeLine, StringComparison.Ordinal);
        Assert.Contains($"the {largeCat.Stdout.Length} bytes written before it are incomplete and must not be used", largeLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_passes_a_healthy_snapshot_finds_a_bit_flipped_pack_reading_all_data_and_a_deleted_pack_without()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source.Name, TestEnvironment.S3Endpoint);
        var smalls = Enumerable.Range(0, 20).Select(i => SourceBucket.Random(1_000 + i)).ToList();
        for (var i = 0; i < smalls.Count; i++)
            await source.PutAsync($"small/{i:00}", smalls[i]);
        var large = SourceBucket.Random((4 << 20) + 5);
        await source.PutAsync("large.bin", large);
        Assert.Equal(0, (await RunAsync(config, "backup", "buckets")).ExitCode);

        var healthy = await RunAsync(config, "check", "--read-data=100");
        var flipped = await FlipInBlobAsync(repo, smalls[7], fromEnd: false);
        var withoutData = await RunAsync(config, "check");
        var withData = await RunAsync(config, "check", "--read-data=100");
        var deleted = await PackOfAsync(repo, large);
        File.Delete(Path.Combine(repo.RepositoryPath, deleted));
        var missing = await RunAsync(config, "check");

        Assert.True(healthy.ExitCode == 0, healthy.Stdout + healthy.Stderr);
        Assert.Contains("buckets/assets: 1 snapshot(s), 1 index root(s) and 1 segment(s) in order, 21 record(s) whose contents are all in the catalog; 21 content(s) in 2 pack(s)", healthy.Stdout, StringComparison.Ordinal);
        Assert.Contains("buckets/assets: 2 pack(s) read whole", healthy.Stdout, StringComparison.Ordinal);
        Assert.Contains("no problems found", healthy.Stdout, StringComparison.Ordinal);
        Assert.True(withoutData.ExitCode == 0, withoutData.Stderr);
        Assert.Equal(3, withData.ExitCode);
        var problem = Assert.Single(withData.Stderr.Split('\n'), line => line.StartsWith("lifeboat: problem: ", StringComparison.Ordinal));
        Assert.StartsWith($"lifeboat: problem: buckets/assets {flipped} at bytes ", problem, StringComparison.Ordinal);
        Assert.Contains($"content {SourceBucket.ShaOf(smalls[7])} does not read back", problem, StringComparison.Ordinal);
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains($"lifeboat: problem: buckets/assets {deleted}: it is missing, and with it 1 content the catalog places there", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_names_a_damaged_index_segment_and_the_snapshot_that_needs_it()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source.Name, TestEnvironment.S3Endpoint);
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        var id = IdOf(await RunAsync(config, "backup", "buckets", "--json"));
        var segment = Directory.GetFiles(Path.Combine(repo.RepositoryPath, "buckets", "assets", "index")).Single();
        PostgresRestoreSafetyTests.FlipByte(segment, new FileInfo(segment).Length / 2);

        var check = await RunAsync(config, "check");

        Assert.Equal(3, check.ExitCode);
        Assert.Contains(
            $"lifeboat: problem: buckets/assets buckets/assets/index/{Path.GetFileName(segment)}: the index segment of snapshot {id} does not read: ",
            check.Stderr,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_checks_a_bucket_its_listing_and_its_newest_snapshot_and_says_its_versioning()
    {
        await using var source = await SourceBucket.CreateAsync(versioned: true);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source.Name, TestEnvironment.S3Endpoint);
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        var id = IdOf(await RunAsync(config, "backup", "buckets", "--json"));

        var doctor = await RunAsync(config, "doctor");
        var list = await RunAsync(config, "list");

        Assert.True(doctor.ExitCode == 0, doctor.Stdout + doctor.Stderr);
        Assert.Contains(
            $"ok    buckets/assets bucket: s3://{source.Name} at {TestEnvironment.S3Endpoint} answers these credentials; versioning enabled: every version and delete marker is recorded",
            doctor.Stdout,
            StringComparison.Ordinal);
        Assert.Contains("ok    buckets/assets listing: listing by version allowed; the first key in the bucket is 'a.txt'", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains($"ok    buckets/assets newest backup: {id}, started ", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("snapshot (1 objects, 1 versions)", list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_reports_a_missing_bucket_in_one_line_and_skips_its_listing()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, "lifeboat-no-such-bucket", TestEnvironment.S3Endpoint);

        var doctor = await RunAsync(config, "doctor");

        Assert.Equal(3, doctor.ExitCode);
        Assert.Contains(
            $"fail  buckets/assets bucket: source bucket lifeboat-no-such-bucket does not exist at {TestEnvironment.S3Endpoint}. hint: check buckets[].bucket and endpoint\n",
            doctor.Stdout,
            StringComparison.Ordinal);
        Assert.Contains("skip  buckets/assets listing: not checked: the bucket did not answer", doctor.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_reports_wrong_credentials_in_one_line_that_shows_no_secret()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source.Name, TestEnvironment.S3Endpoint);

        var doctor = await Infrastructure.Cli.RunAsync(Keys(secret: "not-the-secret"), "--config", config, "doctor");

        Assert.Equal(3, doctor.ExitCode);
        var failed = Assert.Single(doctor.Stdout.Split('\n'), line => line.StartsWith("fail  ", StringComparison.Ordinal));
        Assert.StartsWith($"fail  buckets/assets bucket: S3 rejected the credentials for bucket {source.Name} at {TestEnvironment.S3Endpoint} (SignatureDoesNotMatch)", failed, StringComparison.Ordinal);
        Assert.Contains("hint: check the access key and secret key named by buckets[].accessKeyEnv and secretKeyEnv", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", doctor.Stdout + doctor.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Flips one byte inside the blob holding <paramref name="content"/>; returns its pack's key.</summary>
    private static async Task<string> FlipInBlobAsync(TestRepository repo, byte[] content, bool fromEnd)
    {
        var location = await LocationOfAsync(repo, content);
        var packKey = new BucketContentLayout("assets").PackKey(location.Pack);
        PostgresRestoreSafetyTests.FlipByte(Path.Combine(repo.RepositoryPath, packKey), fromEnd ? location.End - 200 : location.Offset + (location.Stored / 2));
        return packKey;
    }

    private static async Task<string> PackOfAsync(TestRepository repo, byte[] content) =>
        new BucketContentLayout("assets").PackKey((await LocationOfAsync(repo, content)).Pack);

    private static async Task<ContentLocation> LocationOfAsync(TestRepository repo, byte[] content)
    {
        var reader = await ContentReader.OpenAsync(repo.Repository, new BucketContentLayout("assets"), null, Ct);
        return reader.Locate(ContentDigest.Of(content)) ?? throw new InvalidOperationException("the content is not in the catalog");
    }

    private static string IdOf(Infrastructure.Cli.Result backup)
    {
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        using var json = JsonDocument.Parse(backup.Stdout);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    private static Task<Infrastructure.Cli.Result> RunAsync(string config, params string[] arguments) =>
        Infrastructure.Cli.RunAsync(Keys(), ["--config", config, .. arguments]);

    /// <summary>Runs 'cat', keeping its stdout as bytes.</summary>
    private static async Task<(int ExitCode, byte[] Stdout, string Stderr)> CatAsync(string config, params string[] arguments)
    {
        var info = new ProcessStartInfo(Infrastructure.Cli.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["--config", config, "cat", .. arguments])
            info.ArgumentList.Add(argument);
        info.Environment["CI"] = "true";
        foreach (var (name, value) in Keys())
            info.Environment[name] = value;
        using var process = Process.Start(info)!;
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout, Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        await copy;
        return (process.ExitCode, stdout.ToArray(), await stderr);
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
