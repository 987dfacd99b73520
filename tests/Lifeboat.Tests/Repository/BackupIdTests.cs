using Lifeboat.Repository;

namespace Lifeboat.Tests.Repository;

public sealed class BackupIdTests
{
    [Fact]
    public void A_new_id_is_its_UTC_start_time_to_the_microsecond_and_a_random_suffix_and_is_recognised_as_an_id()
    {
        var started = new DateTimeOffset(2026, 2, 15, 2, 0, 0, TimeSpan.FromHours(1)).AddTicks(1_234_567);
        var id = BackupId.New(started);

        Assert.StartsWith("2026-02-15T010000.123456Z-", id.Value, StringComparison.Ordinal);
        Assert.True(BackupId.IsWellFormed(id.Value));
        Assert.Equal(new DateTime(2026, 2, 15, 1, 0, 0, DateTimeKind.Utc).AddTicks(1_234_560), id.Time);
    }

    [Fact]
    public void An_id_written_to_the_second_stays_valid_and_may_have_started_up_to_a_second_later()
    {
        var id = new BackupId("2026-12-03T075206Z-473a53ab");

        Assert.True(BackupId.IsWellFormed(id.Value));
        Assert.Equal(new DateTime(2026, 12, 3, 7, 52, 6, DateTimeKind.Utc), id.Time);
        Assert.Equal(new DateTime(2026, 12, 3, 7, 52, 7, DateTimeKind.Utc), id.LatestPossibleTime);
        Assert.Equal("473a53ab", id.Suffix);
    }

    [Fact]
    public void Ids_of_both_shapes_sort_by_their_start_times()
    {
        var ids = new[]
        {
            new BackupId("2026-12-03T075206Z-ffffffff"),
            new BackupId("2026-12-03T075206.000001Z-00000000"),
            new BackupId("2026-12-03T075206.999999Z-00000000"),
            new BackupId("2026-12-03T075207Z-00000000"),
        };

        Assert.Equal(ids, ids.Reverse().Order());
    }

    [Fact]
    public void Ids_sort_in_the_order_their_backups_started()
    {
        var start = new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 50).Select(i => BackupId.New(start.AddMilliseconds(i * 37))).ToList();

        Assert.Equal(ids, ids.OrderBy(i => i.Value, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("2026-02-15T020000Z-1A2B3C4D")]
    [InlineData("2026-02-15T020000Z-1a2b3c4")]
    [InlineData("2026-13-15T020000Z-1a2b3c4d")]
    [InlineData("2026-02-15T020000.12345Z-1a2b3c4d")]
    [InlineData("2026-02-15T020000.1234567Z-1a2b3c4d")]
    [InlineData(" 2026-02-15T020000Z-1a2b3c4d")]
    public void Text_that_is_not_an_id_is_not_taken_for_one(string text)
    {
        Assert.False(BackupId.IsWellFormed(text));
    }

    [Fact]
    public void Manifest_keys_are_parsed_back_into_their_backup_id_and_other_keys_are_not()
    {
        var id = BackupId.New(DateTimeOffset.UtcNow);
        var folder = RepositoryLayout.BackupFolder("postgres", "dev_platform", "dump", id);

        Assert.Equal(id, RepositoryLayout.ManifestIdOf(RepositoryLayout.ManifestKey("postgres", "dev_platform", "dump", id)));
        Assert.Null(RepositoryLayout.ManifestIdOf(folder + "dump"));
        Assert.Null(RepositoryLayout.ManifestIdOf(folder + "manifest"));
        Assert.Null(RepositoryLayout.ManifestIdOf("postgres/dev_platform/wal/000000010000000000000001"));
    }
}
