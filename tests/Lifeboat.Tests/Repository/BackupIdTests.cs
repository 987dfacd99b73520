using Lifeboat.Repository;

namespace Lifeboat.Tests.Repository;

public sealed class BackupIdTests
{
    [Fact]
    public void A_new_id_is_its_UTC_start_time_and_a_random_suffix_and_is_recognised_as_an_id()
    {
        var id = BackupId.New(new DateTimeOffset(2026, 2, 15, 2, 0, 0, TimeSpan.FromHours(1)));

        Assert.StartsWith("2026-02-15T010000Z-", id.Value, StringComparison.Ordinal);
        Assert.True(BackupId.IsWellFormed(id.Value));
    }

    [Fact]
    public void Ids_sort_in_the_order_their_backups_started()
    {
        var start = new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 50).Select(i => BackupId.New(start.AddSeconds(i * 37))).ToList();

        Assert.Equal(ids, ids.OrderBy(i => i.Value, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("2026-02-15T020000Z-1A2B3C4D")]
    [InlineData("2026-02-15T020000Z-1a2b3c4")]
    [InlineData("2026-13-15T020000Z-1a2b3c4d")]
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
