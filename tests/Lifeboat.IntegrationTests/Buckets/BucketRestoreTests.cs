using System.Collections.Concurrent;
using Amazon.S3.Model;
using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Restore;
using Lifeboat.Buckets.Target;
using Lifeboat.IntegrationTests.Infrastructure;
using static Lifeboat.IntegrationTests.Buckets.BucketSnapshots;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>Bucket restores from a file repository into real radosgw buckets: what lands in the target, and what never does.</summary>
public sealed class BucketRestoreTests
{
    internal static readonly string[] AwkwardKeys =
    [
        "with space.txt", "a+b.txt", "100%.txt", "what?.txt", "hash#tag.txt", "double//slash.txt",
        "caf\u00e9.txt", "cafe\u0301.txt", "emoji/🚀.bin", "Z-upper", new string('k', 998) + "é",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_restore_as_of_a_moment_between_two_snapshots_gives_that_state_byte_for_byte_and_a_second_restore_skips_everything()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        foreach (var key in AwkwardKeys)
            await source.PutAsync(key, SourceBucket.Random(100 + key.Length));
        await source.PutAsync("empty", []);
        await source.PutMultipartAsync("big/multipart.bin", SourceBucket.Random(21 * 1024 * 1024));
        await source.TagAsync("big/multipart.bin", new Dictionary<string, string> { ["kind"] = "video" });
        await source.PutAsync("doc/meta.txt", "hello"u8.ToArray(), request =>
        {
            request.ContentType = "text/plain; charset=utf-8";
            request.Headers.CacheControl = "max-age=60";
            request.Headers.ContentDisposition = "attachment; filename=\"meta.txt\"";
            request.Headers.ContentEncoding = "identity";
            request.Headers["Content-Language"] = "de";
            request.Headers["Expires"] = "Thu, 01 Dec 2044 16:00:00 GMT";
            request.WebsiteRedirectLocation = "/doc/other.txt";
            request.Metadata["Owner"] = "alice";
            request.Metadata["source-app"] = "uploader";
            WithTags(new Dictionary<string, string> { ["team"] = "3d", ["stage"] = "final draft" })(request);
        });
        await BackupAsync(repo, source);
        var first = await BucketState.ReadAsync(source.Client, source.Name);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(1100, Ct); // the changes must land in a later second than the moment restored
        await source.PutAsync("doc/meta.txt", "hello again"u8.ToArray(), r => r.ContentType = "text/plain");
        await source.DeleteAsync("what?.txt");
        await source.PutAsync("new/added.txt", SourceBucket.Random(3000));
        await BackupAsync(repo, source);
        var second = await BucketState.ReadAsync(source.Client, source.Name);
        await using var asOfTarget = await SourceBucket.CreateAsync();
        await using var latestTarget = await SourceBucket.CreateAsync();

        var asOf = await RestoreAsync(repo, new BucketRestoreRequest { AsOf = between, Target = asOfTarget.Endpoint, Transfers = 4 });
        var latest = await RestoreAsync(repo, new BucketRestoreRequest { SnapshotId = "latest", Target = latestTarget.Endpoint, Transfers = 4 });
        var again = await RestoreAsync(repo, new BucketRestoreRequest { AsOf = between, Target = asOfTarget.Endpoint, Force = true, Transfers = 4 });

        BucketState.AssertSame(first, await BucketState.ReadAsync(asOfTarget.Client, asOfTarget.Name));
        BucketState.AssertSame(second, await BucketState.ReadAsync(latestTarget.Client, latestTarget.Name));
        Assert.EndsWith("-5", first["big/multipart.bin"].ETag, StringComparison.Ordinal); // the ETag compare above proves the part count came back
        Assert.Equal(((long)first.Count, first.Values.Sum(o => o.Size), 0L), (asOf.Restored, asOf.RestoredBytes, asOf.Failed));
        Assert.Equal(((long)second.Count, 0L), (latest.Restored, latest.Failed));
        Assert.Equal((0L, (long)first.Count, 0L, 0L), (again.Restored, again.SkippedUnchanged, again.MetadataFixed, again.Failed));
    }

    [Fact]
    public async Task Each_version_of_a_versioned_key_written_between_two_runs_comes_back_exactly_as_the_current_object()
    {
        await using var source = await SourceBucket.CreateAsync(versioned: true);
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("doc.bin", SourceBucket.Random(1000));
        await BackupAsync(repo, source);
        var versions = new List<(string Id, byte[] Content)>();
        foreach (var size in new[] { 2000, 0, 5 * 1024 * 1024 })
        {
            var content = SourceBucket.Random(size);
            var id = await source.PutAsync("doc.bin", content, r => r.Metadata["size"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            versions.Add((id ?? throw new InvalidOperationException("a versioned bucket gave no version id"), content));
        }

        await source.DeleteAsync("doc.bin");
        await BackupAsync(repo, source);
        await using var target = await SourceBucket.CreateAsync(versioned: true);

        foreach (var (versionId, content) in versions)
        {
            var report = await RestoreAsync(repo, new BucketRestoreRequest { Key = "doc.bin", Version = versionId, Target = target.Endpoint });

            var restored = await BucketState.ReadAsync(target.Client, target.Name);
            Assert.Equal(1, report.Restored);
            Assert.Equal(SourceBucket.ShaOf(content), restored["doc.bin"].Sha256);
            Assert.Equal($"size={content.Length}", restored["doc.bin"].Metadata.Replace("x-amz-meta-", "", StringComparison.Ordinal));
        }

        // Back into the source itself: it keeps versions, so no force is needed and the delete marker is covered.
        var back = await RestoreAsync(repo, new BucketRestoreRequest { Key = "doc.bin", Version = versions[0].Id, Target = source.Endpoint });
        Assert.Equal(1, back.Restored);
        Assert.Equal(SourceBucket.ShaOf(versions[0].Content), (await BucketState.ReadAsync(source.Client, source.Name))["doc.bin"].Sha256);
    }

    [Fact]
    public async Task One_key_into_a_target_whose_versioning_is_suspended_needs_force_because_what_it_replaces_is_gone_for_good()
    {
        await using var source = await SourceBucket.CreateAsync(versioned: true);
        await using var repo = await TestRepository.CreateLocalAsync();
        var wanted = await source.PutAsync("doc.txt", "the good one"u8.ToArray());
        await source.PutAsync("doc.txt", "a mistake"u8.ToArray());
        await BackupAsync(repo, source);
        await source.SuspendVersioningAsync();
        await source.PutAsync("doc.txt", "written while suspended"u8.ToArray());
        var before = await BucketState.ReadAsync(source.Client, source.Name);

        var error = await Assert.ThrowsAsync<LifeboatException>(() =>
            RestoreAsync(repo, new BucketRestoreRequest { Key = "doc.txt", Version = wanted, Target = source.Endpoint }));
        BucketState.AssertSame(before, await BucketState.ReadAsync(source.Client, source.Name));
        var forced = await RestoreAsync(repo, new BucketRestoreRequest { Key = "doc.txt", Version = wanted, Target = source.Endpoint, Force = true });

        Assert.Equal($"'doc.txt' already exists in {source.Endpoint.Describe()}, whose versioning is not enabled, so restoring it would overwrite it for good", error.Message);
        Assert.Equal((FailureKind.Usage, RemedyAction.WriteIntoNonEmptyBucket), (error.Kind, error.Remedy?.Action));
        Assert.Equal(1, forced.Restored);
        Assert.Equal(SourceBucket.ShaOf("the good one"u8.ToArray()), (await BucketState.ReadAsync(source.Client, source.Name))["doc.txt"].Sha256);
    }

    [Fact]
    public async Task An_object_of_9_mib_uploaded_with_one_put_comes_back_with_its_own_etag_and_a_second_restore_skips_it()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("video.bin", SourceBucket.Random(9 * 1024 * 1024), r => r.ContentType = "video/mp4");
        await BackupAsync(repo, source);
        var recorded = await BucketState.ReadAsync(source.Client, source.Name);
        await using var target = await SourceBucket.CreateAsync();

        var first = await RestoreAsync(repo, new BucketRestoreRequest { SnapshotId = "latest", Target = target.Endpoint });
        var second = await RestoreAsync(repo, new BucketRestoreRequest { SnapshotId = "latest", Target = target.Endpoint, Force = true });

        Assert.DoesNotContain('-', recorded["video.bin"].ETag); // a plain MD5: one PUT made it
        BucketState.AssertSame(recorded, await BucketState.ReadAsync(target.Client, target.Name));
        Assert.Equal((1L, 0L), (first.Restored, first.Failed));
        Assert.Equal((0L, 1L, 0L, 0L), (second.Restored, second.SkippedUnchanged, second.MetadataFixed, second.Failed));
    }

    [Fact]
    public async Task A_restore_into_the_source_undoes_a_retag_that_kept_the_objects_timestamp()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("doc.txt", "tagged"u8.ToArray(), WithTags(new Dictionary<string, string> { ["team"] = "3d" }));
        await source.PutAsync("plain.txt", "untagged"u8.ToArray());
        await BackupAsync(repo, source);
        var snapshot = await BucketState.ReadAsync(source.Client, source.Name);
        await source.TagAsync("doc.txt", new Dictionary<string, string> { ["team"] = "mallory" });

        var report = await RestoreAsync(repo, new BucketRestoreRequest { SnapshotId = "latest", Target = source.Endpoint, Force = true });

        BucketState.AssertSame(snapshot, await BucketState.ReadAsync(source.Client, source.Name));
        Assert.Equal((0L, 1L, 1L, 0L), (report.Restored, report.SkippedUnchanged, report.MetadataFixed, report.Failed));
    }

    [Fact]
    public async Task A_restore_cut_short_leaves_what_it_wrote_and_the_same_restore_with_force_skips_that_and_writes_the_rest()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        for (var i = 0; i < 6; i++)
            await source.PutAsync($"obj/{i}.bin", SourceBucket.Random(1000 + i), WithTags(new Dictionary<string, string> { ["n"] = $"{i}" }));
        await BackupAsync(repo, source);
        var snapshot = await BucketState.ReadAsync(source.Client, source.Name);
        await using var target = await SourceBucket.CreateAsync();
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new BucketRestore(repo.Repository, new CancelOnFirstWrite(cut))
            .RunAsync("assets", new BucketRestoreRequest { SnapshotId = "latest", Target = target.Endpoint, Transfers = 1 }, cut.Token));
        var written = (await BucketState.ReadAsync(target.Client, target.Name)).Count;
        var refused = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(repo, new BucketRestoreRequest { SnapshotId = "latest", Target = target.Endpoint }));
        var again = await RestoreAsync(repo, new BucketRestoreRequest { SnapshotId = "latest", Target = target.Endpoint, Force = true });

        Assert.InRange(written, 1, 5);
        Assert.Equal(RemedyAction.WriteIntoNonEmptyBucket, refused.Remedy?.Action);
        Assert.Equal((6L - written, (long)written, 0L, 0L), (again.Restored, again.SkippedUnchanged, again.MetadataFixed, again.Failed));
        BucketState.AssertSame(snapshot, await BucketState.ReadAsync(target.Client, target.Name));
    }

    [Fact]
    public async Task The_same_content_under_two_keys_is_restored_under_both_with_each_keys_own_metadata()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var shared = SourceBucket.Random(20_000);
        await source.PutAsync("a/logo.png", shared, r => r.ContentType = "image/png");
        await source.PutAsync("b/logo-copy.png", shared, r => r.Metadata["copied-from"] = "a/logo.png");
        await source.PutAsync("c/other.bin", SourceBucket.Random(300));
        await BackupAsync(repo, source);
        var snapshot = await BucketState.ReadAsync(source.Client, source.Name);
        await using var target = await SourceBucket.CreateAsync();

        var report = await RestoreAsync(repo, new BucketRestoreRequest { SnapshotId = "latest", Target = target.Endpoint });

        BucketState.AssertSame(snapshot, await BucketState.ReadAsync(target.Client, target.Name));
        Assert.Equal((3L, 0L), (report.Restored, report.Failed));
    }

    [Fact]
    public async Task A_dry_run_into_a_target_that_holds_objects_shows_its_plan_and_the_refusal_and_writes_nothing()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        await source.PutAsync("b.txt", "beta"u8.ToArray());
        await BackupAsync(repo, source);
        await source.DeleteAsync("a.txt");
        var before = await BucketState.ReadAsync(source.Client, source.Name);

        var report = await RestoreAsync(repo, new BucketRestoreRequest { SnapshotId = "latest", Target = source.Endpoint, DryRun = true });

        Assert.Equal((1L, 1L), (report.Restored, report.SkippedUnchanged));
        Assert.Equal($"s3://{source.Name}/ at {TestEnvironment.S3Endpoint} already holds objects", report.Refusal?.Message);
        BucketState.AssertSame(before, await BucketState.ReadAsync(source.Client, source.Name));
    }

    [Fact]
    public async Task The_default_target_is_refused_when_the_snapshot_was_taken_of_another_bucket()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        var snapshot = await BackupAsync(repo, source);
        await using var configuredNow = await SourceBucket.CreateAsync();

        var error = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(
            repo, new BucketRestoreRequest { SnapshotId = "latest", Target = configuredNow.Endpoint, DefaultTarget = new ConfiguredSource(configuredNow.Name, "") }));

        Assert.Equal(
            $"snapshot {snapshot.Manifest.Id} of bucket source 'assets' was taken of s3://{source.Name}/, but the source is now configured as s3://{configuredNow.Name}/, "
            + "which a restore would write into by default",
            error.Message);
        Assert.Equal((FailureKind.Usage, RemedyAction.NameTargetBucket), (error.Kind, error.Remedy?.Action));
        Assert.Empty(await BucketState.ReadAsync(configuredNow.Client, configuredNow.Name));
    }

    [Fact]
    public async Task A_target_that_holds_objects_is_refused_before_anything_is_written()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        await BackupAsync(repo, source);
        await using var target = await SourceBucket.CreateAsync();
        await target.PutAsync("already-there.txt", "x"u8.ToArray());
        var before = await BucketState.ReadAsync(target.Client, target.Name);

        var error = await Assert.ThrowsAsync<LifeboatException>(() =>
            RestoreAsync(repo, new BucketRestoreRequest { SnapshotId = "latest", Target = target.Endpoint, DeleteExtra = true }));

        Assert.Equal($"s3://{target.Name}/ at {TestEnvironment.S3Endpoint} already holds objects", error.Message);
        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal(RemedyAction.WriteIntoNonEmptyBucket, error.Remedy?.Action);
        BucketState.AssertSame(before, await BucketState.ReadAsync(target.Client, target.Name));
    }

    [Fact]
    public async Task A_corrupted_stored_object_small_or_large_is_named_and_never_written_while_the_others_are()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        var small = SourceBucket.Random(50_000);
        var large = SourceBucket.Random(9 * 1024 * 1024);
        await source.PutAsync("bad/small.bin", small);
        await source.PutAsync("bad/large.bin", large);
        await source.PutAsync("good/one.bin", SourceBucket.Random(40_000));
        await source.PutAsync("good/two.bin", SourceBucket.Random(60_000));
        await BackupAsync(repo, source);
        await FlipStoredByteAsync(repo, small);
        await FlipStoredByteAsync(repo, large);
        await using var target = await SourceBucket.CreateAsync();
        var reporter = new WarningList();

        var report = await new BucketRestore(repo.Repository, reporter).RunAsync("assets", new BucketRestoreRequest { SnapshotId = "latest", Target = target.Endpoint }, Ct);

        Assert.Equal(["good/one.bin", "good/two.bin"], (await BucketState.ReadAsync(target.Client, target.Name)).Keys);
        Assert.Equal((2L, 2L), (report.Restored, report.Failed));
        Assert.Equal(["bad/large.bin", "bad/small.bin"], report.Failures.Select(f => f.Key));
        Assert.Contains(reporter.Warnings, w => w.StartsWith("'bad/small.bin' was not restored: ", StringComparison.Ordinal));
        Assert.Contains(reporter.Warnings, w => w.StartsWith("'bad/large.bin' was not restored: ", StringComparison.Ordinal));
        var uploads = await target.Client.ListMultipartUploadsAsync(target.Name, Ct);
        Assert.Empty(uploads.MultipartUploads ?? []); // the large object's upload was aborted, not left behind
    }

    [Fact]
    public async Task A_dry_run_counts_what_it_would_do_and_writes_nothing()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("keep/a.txt", "alpha"u8.ToArray());
        await source.PutAsync("keep/b.txt", "beta"u8.ToArray());
        await BackupAsync(repo, source);
        await source.PutAsync("keep/added-later.txt", "gamma"u8.ToArray());
        await source.DeleteAsync("keep/a.txt");
        var before = await BucketState.ReadAsync(source.Client, source.Name);

        var report = await RestoreAsync(repo, new BucketRestoreRequest { SnapshotId = "latest", Target = source.Endpoint, Force = true, DeleteExtra = true, DryRun = true });

        Assert.True(report.DryRun);
        Assert.Equal((1L, 5L, 1L, 1L), (report.Restored, report.RestoredBytes, report.SkippedUnchanged, report.Removed));
        BucketState.AssertSame(before, await BucketState.ReadAsync(source.Client, source.Name));
    }

    [Fact]
    public async Task Back_into_the_source_it_rewrites_only_what_changed_fixes_metadata_in_place_and_removes_extras_only_under_the_prefix()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("site/same.txt", "same"u8.ToArray());
        await source.PutAsync("site/meta.txt", "meta"u8.ToArray(), r => { r.ContentType = "text/plain"; r.Metadata["owner"] = "alice"; WithTags(new Dictionary<string, string> { ["t"] = "1" })(r); });
        await source.PutAsync("site/changed.txt", "before"u8.ToArray());
        await BackupAsync(repo, source);
        var snapshot = await BucketState.ReadAsync(source.Client, source.Name);
        await Task.Delay(1100, Ct);
        await source.PutAsync("site/meta.txt", "meta"u8.ToArray(), r => { r.ContentType = "text/html"; r.Metadata["owner"] = "mallory"; });
        await source.PutAsync("site/changed.txt", "after!"u8.ToArray());
        await source.PutAsync("site/extra.txt", "extra"u8.ToArray());
        await source.PutAsync("outside/kept.txt", "not mine"u8.ToArray());

        var report = await RestoreAsync(repo, new BucketRestoreRequest { SnapshotId = "latest", Target = source.Endpoint, Prefix = "site/", Force = true, DeleteExtra = true });

        var now = await BucketState.ReadAsync(source.Client, source.Name);
        Assert.Equal((1L, 1L, 1L, 1L, 0L), (report.Restored, report.SkippedUnchanged, report.MetadataFixed, report.Removed, report.Failed));
        Assert.Equal("not mine".Length, now["outside/kept.txt"].Size);
        now.Remove("outside/kept.txt");
        BucketState.AssertSame(snapshot, now);
    }

    [Fact]
    public async Task A_storage_class_the_target_does_not_offer_is_left_out_with_one_warning()
    {
        await using var target = await SourceBucket.CreateAsync();
        var warnings = new ConcurrentBag<string>();
        using var client = new TargetBucketClient(target.Endpoint, warnings.Add);
        var attributes = new Lifeboat.Buckets.ObjectAttributes { ContentType = "text/plain", StorageClass = "NO_SUCH_CLASS" };

        await client.PutAsync("one.txt", "one"u8.ToArray(), attributes, Ct);
        await client.PutAsync("two.txt", "two"u8.ToArray(), attributes, Ct);

        Assert.Equal(["one.txt", "two.txt"], (await BucketState.ReadAsync(target.Client, target.Name)).Keys);
        Assert.Equal($"{target.Endpoint.Describe()} does not offer storage class NO_SUCH_CLASS; objects recorded with it are written in the target's default class", Assert.Single(warnings));
    }

    private static Task<RestoreReport> RestoreAsync(TestRepository repo, BucketRestoreRequest request) =>
        new BucketRestore(repo.Repository, SilentReporter.Instance).RunAsync("assets", request, Ct);

    /// <summary>Flips one byte inside the stored blob of <paramref name="content"/>.</summary>
    internal static async Task FlipStoredByteAsync(TestRepository repo, byte[] content)
    {
        var layout = new BucketContentLayout("assets");
        var reader = await ContentReader.OpenAsync(repo.Repository, layout, null, Ct);
        var location = reader.Locate(ContentDigest.Of(content)) ?? throw new InvalidOperationException("the content was not stored");
        Postgres.PostgresRestoreSafetyTests.FlipByte(Path.Combine(repo.RepositoryPath, layout.PackKey(location.Pack)), location.Offset + (location.Stored / 2));
    }

    /// <summary>Cuts the restore short (as a killed process or Ctrl-C would) once the first object is written.</summary>
    private sealed class CancelOnFirstWrite(CancellationTokenSource cut) : IActivityReporter, ITransferProgress
    {
        public void Event(string message) { }

        public void Warning(string message) { }

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) => this;

        public IProgress<ItemsDone> StartItems(string description, int totalItems) => SilentReporter.Instance.StartItems(description, totalItems);

        public void Report(long value) => cut.Cancel();

        public void Reestimate(long totalBytes) { }
    }

    private sealed class WarningList : IActivityReporter
    {
        public ConcurrentBag<string> Warnings { get; } = [];

        public void Event(string message) { }

        public void Warning(string message) => Warnings.Add(message);

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) => SilentReporter.Instance.StartTransfer(description, totalBytes, estimated);

        public IProgress<ItemsDone> StartItems(string description, int totalItems) => SilentReporter.Instance.StartItems(description, totalItems);
    }
}
