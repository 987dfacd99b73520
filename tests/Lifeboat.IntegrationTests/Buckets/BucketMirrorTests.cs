using System.Collections.Concurrent;
using Amazon.S3;
using Amazon.S3.Model;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Mirror;
using Lifeboat.Buckets.Restore;
using Lifeboat.Buckets.Source;
using Lifeboat.Buckets.Target;
using static Lifeboat.IntegrationTests.Buckets.BucketSnapshots;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>Mirrors between real radosgw buckets: what lands in the target, what a later run copies, and what it refuses to remove.</summary>
public sealed class BucketMirrorTests
{
    private const int NineMiB = 9 * 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_first_mirror_copies_every_object_as_the_source_holds_it_and_a_second_copies_nothing()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        foreach (var key in BucketRestoreTests.AwkwardKeys)
            await source.PutAsync(key, SourceBucket.Random(100 + key.Length));
        await source.PutAsync("empty", []);
        await source.PutMultipartAsync("big/multipart.bin", SourceBucket.Random(21 * 1024 * 1024));
        await source.PutAsync("big/single-put.bin", SourceBucket.Random(9 * 1024 * 1024));
        await source.PutAsync("doc/meta.txt", "hello"u8.ToArray(), request =>
        {
            request.ContentType = "text/plain; charset=utf-8";
            request.Headers.CacheControl = "max-age=60";
            request.Headers.ContentDisposition = "attachment; filename=\"meta.txt\"";
            request.Headers.ContentEncoding = "identity";
            request.Headers["Content-Language"] = "de";
            request.Metadata["Owner"] = "alice";
            request.Metadata["source-app"] = "uploader";
            WithTags(new Dictionary<string, string> { ["team"] = "3d", ["stage"] = "final draft" })(request);
        });
        var state = await BucketState.ReadAsync(source.Client, source.Name);

        var first = await MirrorAsync(source, target);
        var second = await MirrorAsync(source, target);

        var mirrored = await BucketState.ReadAsync(target.Client, target.Name);
        Assert.Equal(state["big/multipart.bin"], mirrored["big/multipart.bin"]); // "-5": the part layout came along
        Assert.Equal(state["big/single-put.bin"], mirrored["big/single-put.bin"]); // 9 MiB in one streamed PUT: its MD5 ETag came along
        BucketState.AssertSame(state, mirrored);
        Assert.Equal(((long)state.Count, state.Values.Sum(o => o.Size), 0L, 0L), (first.Copied, first.CopiedBytes, first.SkippedUnchanged, first.Failed));
        Assert.Equal((0L, (long)state.Count, 0L, 0L), (second.Copied, second.SkippedUnchanged, second.MetadataFixed, second.Failed));
    }

    [Fact]
    public async Task A_multipart_object_whose_part_size_radosgw_does_not_tell_is_copied_once_not_again_on_every_run()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        // Two parts of 5 MiB and 4 MiB: radosgw ignores partNumber on a HEAD, so the mirror guesses 8 MiB parts,
        // which give the copy the part count "-2" but another ETag.
        var content = SourceBucket.Random(9 * 1024 * 1024);
        await source.PutMultipartAsync("nine.bin", content);

        var first = await MirrorAsync(source, target);
        var second = await MirrorAsync(source, target);

        var (original, copy) = ((await BucketState.ReadAsync(source.Client, source.Name))["nine.bin"], (await BucketState.ReadAsync(target.Client, target.Name))["nine.bin"]);
        Assert.Equal((1L, 0L), (first.Copied, first.Failed));
        Assert.Equal((0L, 1L, 0L, 0L), (second.Copied, second.SkippedUnchanged, second.MetadataFixed, second.Failed));
        Assert.Equal((original.Sha256, original.Size), (copy.Sha256, copy.Size));
        Assert.EndsWith("-2", copy.ETag, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Radosgw_answers_a_head_of_part_1_with_the_whole_object_so_the_part_size_is_guessed_and_not_asked_again()
    {
        await using var source = await SourceBucket.CreateAsync();
        await source.PutMultipartAsync("nine.bin", SourceBucket.Random(9 * 1024 * 1024));
        var etag = ETags.Trim((await source.Client.GetObjectMetadataAsync(source.Name, "nine.bin", Ct)).ETag);
        using var client = new SourceBucketClient(source.Endpoint);
        var probe = new PartSizeProbe();

        var partSize = await probe.PartSizeAsync(client, "nine.bin", 9 * 1024 * 1024, etag, parts: 2, Ct);

        Assert.Null(partSize);
        Assert.True(probe.ServerIgnoresPartNumbers);
    }

    [Fact]
    public async Task An_object_replaced_by_as_many_bytes_while_it_was_copied_is_copied_again_since_its_copy_would_look_current_to_every_later_run()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutMultipartAsync("hot.bin", SourceBucket.Random(NineMiB));
        var replacement = SourceBucket.Random(NineMiB);
        var reads = 0;
        // Halfway through the first GET the application overwrites the object; radosgw goes on sending the old bytes.
        await using var tap = S3Tap.Start(every: 4 << 20, async () =>
        {
            if (Interlocked.Increment(ref reads) == 1)
                await source.PutMultipartAsync("hot.bin", replacement);
            return false;
        });

        var report = await MirrorAsync(source, target, r => r with { Source = r.Source with { Endpoint = tap.Through(source.Endpoint) } });
        var again = await MirrorAsync(source, target);

        Assert.Equal((1L, 0L), (report.Copied, report.Failed));
        Assert.Equal(SourceBucket.ShaOf(replacement), (await BucketState.ReadAsync(target.Client, target.Name))["hot.bin"].Sha256);
        Assert.Equal((0L, 1L), (again.Copied, again.SkippedUnchanged));
    }

    [Fact]
    public async Task An_object_replaced_while_it_is_read_is_read_again_and_copied_as_the_source_holds_it_then()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutMultipartAsync("hot.bin", SourceBucket.Random(NineMiB));
        var replacement = SourceBucket.Random(NineMiB);
        var reads = 0;
        // The first GET's connection drops after the overwrite: the read resumes only while the ETag is the same.
        await using var tap = S3Tap.Start(every: 4 << 20, async () =>
        {
            if (Interlocked.Increment(ref reads) != 1)
                return false;
            await source.PutMultipartAsync("hot.bin", replacement);
            return true;
        });

        var report = await MirrorAsync(source, target, r => r with { Source = r.Source with { Endpoint = tap.Through(source.Endpoint) } });

        Assert.Equal((1L, 0L), (report.Copied, report.Failed));
        Assert.Equal(SourceBucket.ShaOf(replacement), (await BucketState.ReadAsync(target.Client, target.Name))["hot.bin"].Sha256);
    }

    [Theory]
    [InlineData(true, "")]
    [InlineData(false, "; its copy, written from an older upload, was removed so that the next run copies it")]
    public async Task An_object_that_changes_each_of_3_reads_fails_alone_and_leaves_no_copy_of_an_older_upload(bool readsCut, string removal)
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutMultipartAsync("hot.bin", SourceBucket.Random(NineMiB));
        await source.PutAsync("calm.txt", "calm"u8.ToArray());
        await using var tap = S3Tap.Start(every: 4 << 20, async () =>
        {
            await source.PutMultipartAsync("hot.bin", SourceBucket.Random(NineMiB));
            return readsCut;
        });

        var report = await MirrorAsync(source, target, r => r with { Source = r.Source with { Endpoint = tap.Through(source.Endpoint) } });

        Assert.Equal((1L, 1L), (report.Copied, report.Failed));
        var failure = Assert.Single(report.Failures);
        Assert.Equal(("hot.bin", $"it changed at the source each of the {MirrorCopies.Attempts} times it was read{removal}"), (failure.Key, failure.Error.Message));
        Assert.Equal(["calm.txt"], (await BucketState.ReadAsync(target.Client, target.Name)).Keys);
        Assert.Empty((await target.Client.ListMultipartUploadsAsync(target.Name, Ct)).MultipartUploads ?? []);
    }

    [Fact]
    public async Task A_mirror_cancelled_in_the_middle_of_a_multipart_copy_leaves_nothing_half_written()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutMultipartAsync("big.bin", SourceBucket.Random(NineMiB));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var tap = S3Tap.Start(every: 4 << 20, async () =>
        {
            await cancel.CancelAsync();
            return false;
        });
        var request = new BucketMirrorRequest { Source = SourceOf(source) with { Endpoint = tap.Through(source.Endpoint) }, Target = target.Endpoint };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new BucketMirror(SilentReporter.Instance).RunAsync(request, cancel.Token));

        Assert.Empty(await BucketState.ReadAsync(target.Client, target.Name));
        Assert.Empty((await target.Client.ListMultipartUploadsAsync(target.Name, Ct)).MultipartUploads ?? []);
    }

    [Fact]
    public async Task An_object_the_target_refuses_to_take_fails_alone_and_the_others_are_copied()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutAsync("denied/a.txt", "alpha"u8.ToArray());
        await source.PutAsync("denied/big.bin", SourceBucket.Random(NineMiB), r => r.ContentType = "application/x-big");
        await source.PutMultipartAsync("denied/parts.bin", SourceBucket.Random(NineMiB));
        await source.PutAsync("open/b.txt", "beta"u8.ToArray());
        await source.PutAsync("open/c.txt", "gamma"u8.ToArray());
        await DenyAsync(target, "denied/", "s3:PutObject");

        var report = await MirrorAsync(source, target);

        await target.Client.DeleteBucketPolicyAsync(target.Name, Ct);
        Assert.Equal((2L, 3L), (report.Copied, report.Failed));
        Assert.Equal(["denied/a.txt", "denied/big.bin", "denied/parts.bin"], report.Failures.Select(f => f.Key));
        Assert.All(report.Failures, f => Assert.StartsWith("S3 denied access to ", f.Error.Message, StringComparison.Ordinal));
        Assert.Equal(["open/b.txt", "open/c.txt"], (await BucketState.ReadAsync(target.Client, target.Name)).Keys);
    }

    [Fact]
    public async Task An_object_whose_copy_the_target_refuses_to_show_fails_alone_in_the_comparison_and_the_others_go_on()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutAsync("hidden/a.txt", "alpha"u8.ToArray());
        await source.PutAsync("open/b.txt", "beta"u8.ToArray());
        await MirrorAsync(source, target);
        await Task.Delay(1100, Ct); // the rewrites must carry a later Last-Modified than the copies
        await RewriteMetadataAsync(source, "hidden/a.txt", "text/plain", "bob");
        await RewriteMetadataAsync(source, "open/b.txt", "text/plain", "bob");
        await DenyAsync(target, "hidden/", "s3:GetObject");

        var report = await MirrorAsync(source, target);

        await target.Client.DeleteBucketPolicyAsync(target.Name, Ct);
        Assert.Equal((1L, 1L), (report.MetadataFixed, report.Failed));
        var failure = Assert.Single(report.Failures);
        Assert.Equal("hidden/a.txt", failure.Key);
        Assert.StartsWith($"S3 denied access to read s3://{target.Name}/hidden/a.txt", failure.Error.Message, StringComparison.Ordinal);
        Assert.Equal("x-amz-meta-owner=bob", (await BucketState.ReadAsync(target.Client, target.Name))["open/b.txt"].Metadata);
    }

    [Fact]
    public async Task After_changes_at_the_source_only_those_are_copied_metadata_is_fixed_in_place_and_removals_wait_for_remove()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        await source.PutAsync("b.txt", "beta"u8.ToArray());
        await source.PutAsync("c.txt", "gamma"u8.ToArray());
        await source.PutAsync("keep.txt", "kept"u8.ToArray());
        await source.PutAsync("meta.txt", "meta"u8.ToArray(), r => { r.ContentType = "text/plain"; r.Metadata["owner"] = "alice"; });
        await MirrorAsync(source, target);
        await Task.Delay(1100, Ct); // the changes must carry a later Last-Modified than the copies
        await source.PutAsync("a.txt", "alpha, rewritten"u8.ToArray());
        await source.PutAsync("d.txt", "delta"u8.ToArray());
        await source.DeleteAsync("b.txt");
        await RewriteMetadataAsync(source, "meta.txt", "text/html", "bob");
        await source.Client.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = source.Name,
            Key = "meta.txt",
            Tagging = new Tagging { TagSet = [new Tag { Key = "reviewed", Value = "yes" }] },
        }, Ct);

        var kept = await MirrorAsync(source, target);
        var afterKept = await BucketState.ReadAsync(target.Client, target.Name);
        var removed = await MirrorAsync(source, target, r => r with { Remove = true, RemoveLimitPercent = 25 });

        Assert.Equal((2L, 1L, 2L, 0L, 1L, 0L), (kept.Copied, kept.MetadataFixed, kept.SkippedUnchanged, kept.Removed, kept.ExtraKept, kept.Failed));
        Assert.Contains("b.txt", afterKept.Keys);
        Assert.Equal((0L, 0L, 5L, 1L, 0L), (removed.Copied, removed.MetadataFixed, removed.SkippedUnchanged, removed.Removed, removed.Failed));
        BucketState.AssertSame(await BucketState.ReadAsync(source.Client, source.Name), await BucketState.ReadAsync(target.Client, target.Name));
    }

    [Fact]
    public async Task A_multipart_copy_whose_metadata_changed_is_copied_from_the_source_not_onto_itself_so_it_keeps_its_multipart_etag()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutMultipartAsync("parts.bin", SourceBucket.Random(15 * 1024 * 1024)); // three 5 MiB parts: "-3", reproduced
        await MirrorAsync(source, target);
        await Task.Delay(1100, Ct); // the rewrite must carry a later Last-Modified than the copy
        await RewriteMetadataAsync(source, "parts.bin", "model/gltf-binary", "bob");

        var report = await MirrorAsync(source, target);
        var again = await MirrorAsync(source, target);

        Assert.Equal((1L, 0L, 0L), (report.Copied, report.MetadataFixed, report.Failed));
        Assert.Equal((0L, 1L), (again.Copied, again.SkippedUnchanged));
        BucketState.AssertSame(await BucketState.ReadAsync(source.Client, source.Name), await BucketState.ReadAsync(target.Client, target.Name));
    }

    [Fact]
    public async Task Tags_changed_on_their_own_are_rewritten_alone_at_the_next_run_on_radosgw_which_renews_the_timestamp_of_a_retagged_object()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutAsync("tagged.txt", "tagged"u8.ToArray(), r =>
        {
            r.ContentType = "text/plain";
            r.Metadata["owner"] = "alice";
            WithTags(new Dictionary<string, string> { ["stage"] = "draft" })(r);
        });
        await MirrorAsync(source, target);
        await Task.Delay(1100, Ct); // the retag must carry a later Last-Modified than the copy
        // radosgw 16 gives a retagged object a new Last-Modified (AWS does not): the listings then tell.
        await source.TagAsync("tagged.txt", new Dictionary<string, string> { ["stage"] = "final", ["team"] = "3d" });

        var report = await MirrorAsync(source, target);
        var again = await MirrorAsync(source, target);

        Assert.Equal((0L, 1L, 0L), (report.Copied, report.MetadataFixed, report.Failed));
        Assert.Equal((0L, 0L, 1L), (again.Copied, again.MetadataFixed, again.SkippedUnchanged));
        BucketState.AssertSame(await BucketState.ReadAsync(source.Client, source.Name), await BucketState.ReadAsync(target.Client, target.Name));
    }

    [Fact]
    public async Task Removals_beyond_the_limit_are_refused_while_the_rest_is_still_copied_and_force_lets_them_through()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        for (var i = 0; i < 10; i++)
            await source.PutAsync($"obj-{i}.txt", SourceBucket.Random(100));
        await MirrorAsync(source, target);
        await source.DeleteAsync("obj-3.txt");
        await source.DeleteAsync("obj-7.txt");
        await source.PutAsync("new.txt", "new"u8.ToArray());

        var refused = await MirrorAsync(source, target, r => r with { Remove = true });
        var refusedState = await BucketState.ReadAsync(target.Client, target.Name);
        var forced = await MirrorAsync(source, target, r => r with { Remove = true, Force = true });

        var error = refused.RemovalRefusal;
        Assert.NotNull(error);
        Assert.Equal(
            $"mirroring s3://{source.Name}/ at {TestEnvironment.S3Endpoint} would remove 2 of the 10 objects in s3://{target.Name}/ at {TestEnvironment.S3Endpoint} (20 %), "
            + "more than the 10 % one run may remove",
            error.Message);
        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal(RemedyAction.AllowMirrorRemovals, error.Remedy?.Action);
        Assert.Equal((1L, 0L, 2L, 0L, 0L), (refused.Copied, refused.Removed, refused.RemovalsRefused, refused.ExtraKept, refused.Failed));
        Assert.Contains("new.txt", refusedState.Keys);
        Assert.Contains("obj-3.txt", refusedState.Keys);
        Assert.Equal((0L, 2L, 0L, 0L), (forced.Copied, forced.Removed, forced.RemovalsRefused, forced.Failed));
        Assert.Null(forced.RemovalRefusal);
        BucketState.AssertSame(await BucketState.ReadAsync(source.Client, source.Name), await BucketState.ReadAsync(target.Client, target.Name));
    }

    [Fact]
    public async Task A_source_that_lists_nothing_never_empties_the_mirror_even_within_the_limit_unless_forced()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        await source.PutAsync("b.txt", "beta"u8.ToArray());
        await MirrorAsync(source, target);
        await source.DeleteAsync("a.txt");
        await source.DeleteAsync("b.txt");

        var refused = await MirrorAsync(source, target, r => r with { Remove = true, RemoveLimitPercent = 100 });
        var refusedState = await BucketState.ReadAsync(target.Client, target.Name);
        var forced = await MirrorAsync(source, target, r => r with { Remove = true, Force = true });

        Assert.Equal(
            $"s3://{source.Name}/ at {TestEnvironment.S3Endpoint} lists no objects, so mirroring it with removals would empty s3://{target.Name}/ at {TestEnvironment.S3Endpoint} (2 objects)",
            refused.RemovalRefusal?.Message);
        Assert.Equal((0L, 2L), (refused.Removed, refused.RemovalsRefused));
        Assert.Equal(["a.txt", "b.txt"], refusedState.Keys);
        Assert.Equal(2, forced.Removed);
        Assert.Empty(await BucketState.ReadAsync(target.Client, target.Name));
    }

    [Fact]
    public async Task A_dry_run_counts_what_it_would_copy_and_remove_and_writes_nothing()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        await source.PutAsync("b.txt", "beta"u8.ToArray());
        await target.PutAsync("a.txt", "stale copy"u8.ToArray());
        await target.PutAsync("z.txt", "the source no longer has it"u8.ToArray());
        var before = await BucketState.ReadAsync(target.Client, target.Name);

        var report = await MirrorAsync(source, target, r => r with { Remove = true, RemoveLimitPercent = 50, DryRun = true });

        Assert.True(report.DryRun);
        Assert.Equal((2L, 9L, 1L, 0L), (report.Copied, report.CopiedBytes, report.Removed, report.Failed));
        BucketState.AssertSame(before, await BucketState.ReadAsync(target.Client, target.Name));
    }

    [Fact]
    public async Task Only_keys_under_the_prefix_are_copied_and_removed()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutAsync("site/a.txt", "alpha"u8.ToArray());
        await source.PutAsync("other/b.txt", "beta"u8.ToArray());
        await target.PutAsync("site/gone.txt", "removed"u8.ToArray());
        await target.PutAsync("outside/kept.txt", "never touched"u8.ToArray());

        var report = await MirrorAsync(source, target, r => r with { Prefix = "site/", Remove = true, RemoveLimitPercent = 100 });

        Assert.Equal((1L, 1L), (report.Copied, report.Removed));
        Assert.Equal(["outside/kept.txt", "site/a.txt"], (await BucketState.ReadAsync(target.Client, target.Name)).Keys);
    }

    [Fact]
    public async Task An_object_deleted_at_the_source_after_the_listing_is_counted_as_gone_not_as_a_failure()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        using var sourceClient = new SourceBucketClient(source.Endpoint);
        using var targetClient = new TargetBucketClient(target.Endpoint, _ => { });
        var tally = new RestoreTally();
        var context = new RestoreContext(targetClient, tally, SilentReporter.Instance, new WriteSettings(2, DryRun: false, RemoveExtras: false, "copied"));
        var listed = new BucketObjectRecord { Key = "deleted-since.txt", VersionId = BucketObjectRecord.NullVersion, LastModified = DateTimeOffset.UtcNow, Size = 5, ETag = "abc" };

        await new MirrorCopies(context, sourceClient).CopyAsync(listed, Ct);

        var counts = tally.Counts();
        Assert.Equal((1L, 0L, 0L), (counts.Gone, counts.Written, counts.Failed));
        Assert.Empty(await BucketState.ReadAsync(target.Client, target.Name));
    }

    [Fact]
    public async Task An_object_whose_storage_class_the_target_refuses_is_read_again_and_written_in_the_default_class()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        var content = "cold but wanted"u8.ToArray();
        var etag = ETags.Trim(await source.PutAsync("archive/cold.txt", content, r => r.ContentType = "text/plain"));
        using var sourceClient = new SourceBucketClient(source.Endpoint);
        var warnings = new ConcurrentBag<string>();
        using var targetClient = new TargetBucketClient(target.Endpoint, warnings.Add);
        var tally = new RestoreTally();
        var context = new RestoreContext(targetClient, tally, SilentReporter.Instance, new WriteSettings(2, DryRun: false, RemoveExtras: false, "copied"));
        // As AWS would list an object in a class this radosgw does not offer: the first PUT is refused, the second goes without it.
        var listed = new BucketObjectRecord
        {
            Key = "archive/cold.txt",
            VersionId = BucketObjectRecord.NullVersion,
            LastModified = DateTimeOffset.UtcNow,
            Size = content.Length,
            ETag = etag,
            Attributes = new Lifeboat.Buckets.ObjectAttributes { StorageClass = "NO_SUCH_CLASS" },
        };

        await new MirrorCopies(context, sourceClient).CopyAsync(listed, Ct);

        var counts = tally.Counts();
        Assert.Equal((1L, 0L), (counts.Written, counts.Failed));
        using var copy = await target.Client.GetObjectAsync(target.Name, "archive/cold.txt", Ct);
        using var bytes = new MemoryStream();
        await copy.ResponseStream.CopyToAsync(bytes, Ct);
        Assert.Equal(content, bytes.ToArray());
        Assert.Equal("text/plain", copy.Headers.ContentType);
        Assert.Contains("does not offer storage class NO_SUCH_CLASS", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_storage_class_the_target_does_not_offer_is_asked_for_once_and_its_copy_counts_as_unchanged_not_as_fixed()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var target = await SourceBucket.CreateAsync();
        await source.PutAsync("cold.txt", "cold"u8.ToArray());
        var etag = ETags.Trim((await source.Client.GetObjectMetadataAsync(source.Name, "cold.txt", Ct)).ETag);
        await MirrorAsync(source, target);
        using var sourceClient = new SourceBucketClient(source.Endpoint);
        var warnings = new ConcurrentBag<string>();
        using var targetClient = new TargetBucketClient(target.Endpoint, warnings.Add);
        var tally = new RestoreTally();
        var context = new RestoreContext(targetClient, tally, SilentReporter.Instance, new WriteSettings(2, DryRun: false, RemoveExtras: false, "copied"));
        var looks = new MirrorLooks(context, sourceClient, new MirrorCopies(context, sourceClient));
        // As AWS would list the object after a lifecycle transition into a class this radosgw does not offer.
        var listed = new BucketObjectRecord
        {
            Key = "cold.txt",
            VersionId = BucketObjectRecord.NullVersion,
            LastModified = DateTimeOffset.UtcNow.AddMinutes(-1),
            Size = 4,
            ETag = etag,
            Attributes = new Lifeboat.Buckets.ObjectAttributes { StorageClass = "NO_SUCH_CLASS" },
        };

        await looks.LookAsync(listed, Ct);
        await looks.LookAsync(listed, Ct);

        var counts = tally.Counts();
        Assert.Equal((2L, 0L, 0L, 0L), (counts.Skipped, counts.Fixed, counts.Written, counts.Failed));
        Assert.Contains("does not offer storage class NO_SUCH_CLASS", Assert.Single(warnings), StringComparison.Ordinal);
        Assert.Empty((await target.Client.ListMultipartUploadsAsync(target.Name, Ct)).MultipartUploads ?? []);
    }

    [Fact]
    public async Task A_read_opened_again_after_the_object_was_replaced_refuses_instead_of_giving_the_new_bytes()
    {
        await using var source = await SourceBucket.CreateAsync();
        await source.PutAsync("a.txt", "first"u8.ToArray());
        using var client = new SourceBucketClient(source.Endpoint);
        await using var read = await SourceObjectRead.OpenAsync(client, "a.txt", versionId: null, Ct);
        Assert.NotNull(read);
        await using (var again = await read.ReopenAsync(Ct))
        {
            using var copy = new MemoryStream();
            await again.CopyToAsync(copy, Ct);
            Assert.Equal("first"u8.ToArray(), copy.ToArray());
        }

        await source.PutAsync("a.txt", "second"u8.ToArray());

        var error = await Assert.ThrowsAsync<SourceObjectChangedException>(() => read.ReopenAsync(Ct));
        Assert.Equal("a.txt", error.Key);
    }

    [Fact]
    public async Task A_missing_target_bucket_is_named_before_anything_is_read_or_written()
    {
        await using var source = await SourceBucket.CreateAsync();
        await source.PutAsync("a.txt", "alpha"u8.ToArray());
        var missing = source.Endpoint with { Bucket = "lifeboat-no-such-mirror" };

        var error = await Assert.ThrowsAsync<LifeboatException>(() =>
            new BucketMirror(SilentReporter.Instance).RunAsync(new BucketMirrorRequest { Source = SourceOf(source), Target = missing }, Ct));

        Assert.Equal($"target bucket lifeboat-no-such-mirror does not exist at {TestEnvironment.S3Endpoint}", error.Message);
        Assert.Equal(RemedyAction.CheckTargetS3Bucket, error.Remedy?.Action);
    }

    private static Task<MirrorReport> MirrorAsync(SourceBucket source, SourceBucket target, Func<BucketMirrorRequest, BucketMirrorRequest>? adjust = null)
    {
        var request = new BucketMirrorRequest { Source = SourceOf(source), Target = target.Endpoint };
        return new BucketMirror(SilentReporter.Instance).RunAsync(adjust is null ? request : adjust(request), Ct);
    }

    // A bucket policy that refuses everyone (the bucket's owner too) <paramref name="action"/> on keys under the prefix.
    private static Task DenyAsync(SourceBucket bucket, string prefix, string action) =>
        bucket.Client.PutBucketPolicyAsync(
            bucket.Name,
            $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":["{{action}}"],"Resource":["arn:aws:s3:::{{bucket.Name}}/{{prefix}}*"]}]}""",
            Ct);

    // A copy onto itself, as an application changes an object's metadata: same bytes and ETag, a new Last-Modified.
    private static Task RewriteMetadataAsync(SourceBucket bucket, string key, string contentType, string owner)
    {
        var request = new CopyObjectRequest
        {
            SourceBucket = bucket.Name,
            SourceKey = key,
            DestinationBucket = bucket.Name,
            DestinationKey = key,
            MetadataDirective = S3MetadataDirective.REPLACE,
            ContentType = contentType,
        };
        request.Metadata["owner"] = owner;
        return bucket.Client.CopyObjectAsync(request, Ct);
    }
}
