using Lifeboat.Buckets;
using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Restore;
using static Lifeboat.Tests.Buckets.FakeSourceBucket;

namespace Lifeboat.Tests.Buckets;

/// <summary>A restore's plan: the snapshot's objects joined with the target's listing, one step per key, in key order.</summary>
public sealed class RestorePlanTests
{
    private static readonly DateTimeOffset Then = At("2026-05-01T10:00:00.123Z");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_key_gets_one_step_write_skip_look_or_extra_in_utf8_key_order()
    {
        BucketObjectRecord[] wanted =
        [
            Record("a-missing"), Record("b-same"), Record("c-other-bytes"), Record("d-same-bytes-later"), Record("Z-upper"), Record("é-unicode"),
        ];
        ListingEntry[] target =
        [
            Found("a-extra-before"), Found("b-same"), Found("c-other-bytes", etag: "different"), Found("d-same-bytes-later", at: Then.AddMinutes(5)), Found("z-extra-after"),
        ];

        var steps = await ToListAsync(RestorePlan.JoinAsync(Sorted(wanted), Sorted(target), Ct));

        Assert.Equal(
            [
                ("Z-upper", PlanAction.Write), ("a-extra-before", PlanAction.Extra), ("a-missing", PlanAction.Write), ("b-same", PlanAction.Skip),
                ("c-other-bytes", PlanAction.Write), ("d-same-bytes-later", PlanAction.Look), ("z-extra-after", PlanAction.Extra), ("é-unicode", PlanAction.Write),
            ],
            steps.Select(s => (s.Key, s.Action)));
        Assert.All(steps.Where(s => s.Action != PlanAction.Extra), s => Assert.Equal(s.Key, s.Wanted!.Key));
        Assert.Null(steps.Single(s => s.Key == "z-extra-after").Wanted);
    }

    [Fact]
    public async Task An_empty_target_means_every_object_is_written_and_an_empty_snapshot_means_every_target_object_is_extra()
    {
        var writes = await ToListAsync(RestorePlan.JoinAsync(Sorted([Record("x"), Record("y")]), InOrder<ListingEntry>([]), Ct));
        var extras = await ToListAsync(RestorePlan.JoinAsync(InOrder<BucketObjectRecord>([]), Sorted([Found("x"), Found("y")]), Ct));

        Assert.All(writes, s => Assert.Equal(PlanAction.Write, s.Action));
        Assert.Equal(2, writes.Count);
        Assert.All(extras, s => Assert.Equal(PlanAction.Extra, s.Action));
        Assert.Equal(2, extras.Count);
    }

    [Fact]
    public async Task A_target_listing_out_of_order_stops_the_plan_naming_both_keys()
    {
        var error = await Assert.ThrowsAsync<LifeboatException>(() =>
            ToListAsync(RestorePlan.JoinAsync(Sorted([Record("a")]), InOrder([Found("m"), Found("b")]), Ct)));

        Assert.Contains("'b' came after 'm'", error.Message, StringComparison.Ordinal);
        Assert.Contains("the target's listing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_twice_in_the_snapshots_objects_stops_the_plan()
    {
        var error = await Assert.ThrowsAsync<LifeboatException>(() =>
            ToListAsync(RestorePlan.JoinAsync(InOrder([Record("a"), Record("a")]), InOrder<ListingEntry>([]), Ct)));

        Assert.Equal("the snapshot's objects holds 'a' twice", error.Message);
    }

    private static BucketObjectRecord Record(string key) =>
        new() { Key = key, VersionId = "null", Latest = true, LastModified = Then, Size = 10, ETag = "etag", Sha256 = new string('a', 64) };

    private static ListingEntry Found(string key, string etag = "etag", DateTimeOffset? at = null) => new(key, "null", true, false, at ?? Then, 10, etag);

    // Listings and the index come in UTF-8 byte order.
    private static IAsyncEnumerable<BucketObjectRecord> Sorted(IEnumerable<BucketObjectRecord> records) =>
        InOrder(records.OrderBy(r => r.Key, Lifeboat.Storage.ObjectKeyComparer.Instance));

    private static IAsyncEnumerable<ListingEntry> Sorted(IEnumerable<ListingEntry> entries) =>
        InOrder(entries.OrderBy(e => e.Key, Lifeboat.Storage.ObjectKeyComparer.Instance));

    private static async IAsyncEnumerable<T> InOrder<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
            yield return item;
        await Task.CompletedTask;
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
            list.Add(item);
        return list;
    }
}
