using Lifeboat.Buckets;
using Lifeboat.Buckets.Index;
using static Lifeboat.Tests.Buckets.FakeSourceBucket;

namespace Lifeboat.Tests.Buckets;

/// <summary>The change rules of one key group, and the outcome file that carries reads to the seal.</summary>
public sealed class ChangeRulesTests
{
    private static readonly DateTimeOffset ListedAt = At("2026-05-04T00:00:00Z");

    [Fact]
    public void A_record_taken_from_a_get_in_whole_seconds_matches_the_next_listing_of_that_second_without_a_read()
    {
        var fromGet = new BucketObjectRecord { Key = "k", VersionId = "null", Latest = true, LastModified = At("2026-05-01T10:00:00Z"), Size = 3, ETag = "e", Sha256 = "s" };
        var listed = new ListingEntry("k", "null", true, false, At("2026-05-01T10:00:00.456Z"), 3, "e");
        var counts = new MergeCounts();

        var steps = KeyGroupChanges.Apply(new KeyGroup("k", [listed], [fromGet], []), new MergeSettings(ListedAt, false), counts);

        var step = Assert.Single(steps);
        Assert.Null(step.ReadOf);
        Assert.Equal(At("2026-05-01T10:00:00.456Z"), step.Record.LastModified);
        Assert.Equal(1, counts.Unchanged);
    }

    [Fact]
    public void A_null_version_with_another_etag_is_read_and_the_old_one_becomes_history()
    {
        var old = new BucketObjectRecord { Key = "k", VersionId = "null", Latest = true, LastModified = At("2026-05-01T10:00:00Z"), Size = 3, ETag = "e", Sha256 = "s" };
        var listed = new ListingEntry("k", "null", true, false, At("2026-05-01T10:00:00Z"), 3, "other", "GLACIER");
        var counts = new MergeCounts();

        var steps = KeyGroupChanges.Apply(new KeyGroup("k", [listed], [old], []), new MergeSettings(ListedAt, false), counts);

        Assert.Equal(2, steps.Count);
        Assert.Same(listed, steps[0].ReadOf);
        Assert.Equal("GLACIER", steps[0].Record.Attributes.StorageClass);
        Assert.Equal(old with { Latest = false, GoneFromSourceAt = ListedAt }, steps[1].Record);
        Assert.Equal((1, 1), (counts.Reads, counts.Carried));
    }

    [Fact]
    public void A_key_gone_from_a_versioned_source_gets_no_synthesized_marker()
    {
        var old = new BucketObjectRecord { Key = "k", VersionId = "v1", Latest = true, LastModified = At("2026-05-01T10:00:00Z"), Size = 3, ETag = "e", Sha256 = "s" };

        var steps = KeyGroupChanges.Apply(new KeyGroup("k", [], [old], []), new MergeSettings(ListedAt, true), new MergeCounts());

        Assert.Equal(old with { Latest = false, GoneFromSourceAt = ListedAt }, Assert.Single(steps).Record);
    }

    [Fact]
    public async Task Outcomes_appended_in_any_order_are_found_by_ticket()
    {
        var dir = Directory.CreateTempSubdirectory("lifeboat-outcomes-").FullName;
        try
        {
            using var spill = SpillDirectory.Create(dir, DateTimeOffset.UtcNow);
            await using var file = ReadOutcomeFile.Create(spill);
            var attributes = new ObjectAttributes { ContentType = "text/plain", Tags = new Dictionary<string, string> { ["a"] = "b" }, Metadata = new Dictionary<string, string> { ["m"] = new string('x', 9000) } };
            var replaced = new ObjectIdentity(5, "etag", At("2026-05-01T10:00:01Z"));
            await Task.WhenAll(Enumerable.Range(0, 50).Reverse().Select(async i =>
                await file.AppendAsync(i % 5 == 0 ? ReadOutcome.Gone(i) : ReadOutcome.Read(i, new ContentRef($"sha{i}", i, i * 2), attributes, i == 7 ? replaced : null), TestContext.Current.CancellationToken)));

            var seven = await file.GetAsync(7, TestContext.Current.CancellationToken);
            var ten = await file.GetAsync(10, TestContext.Current.CancellationToken);

            Assert.Equal(new ContentRef("sha7", 7, 14), seven.Content);
            Assert.Equal(attributes, seven.Attributes);
            Assert.Equal(replaced, seven.Replaced);
            Assert.True(ten.IsGone);
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await file.GetAsync(50, TestContext.Current.CancellationToken));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
