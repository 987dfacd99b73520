using Lifeboat.Format;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>Which file recovery reads for each segment along a timeline's history, and how far an archive carries it.</summary>
public sealed class RecoveryPathTests : IAsyncLifetime
{
    private const long Size = WalFileName.DefaultSegmentSize;

    // Timeline 2 left timeline 1 in the middle of segment 3; timeline 3 left timeline 2 in the middle of segment 5.
    private static readonly TimelineHistory Second = TimelineHistory.Parse(2, "1\t0/3000158\tbefore 2026-12-03 10:42:35+00\n");
    private static readonly TimelineHistory Third = TimelineHistory.Parse(3, "1\t0/3000158\tbefore 2026-12-03 10:42:35+00\n2\t0/5000060\tbefore 2026-12-03 11:00:00+00\n");
    private static readonly BackupWal EarlyOnFirst = new(1, Position("0/2000028"), 1, Position("0/2000138"));

    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-path-").FullName;
    private BackupRepository _repository = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(keyFile);
        _repository = await BackupRepository.InitAsync(new FileObjectStore(Path.Combine(_dir, "repo")), KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _repository.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void After_a_switch_in_mid_segment_the_switch_segment_and_all_after_it_come_from_the_new_timeline()
    {
        var path = RecoveryPath.Of(Second, EarlyOnFirst, Size)!;

        Assert.Equal([1u, 2u, 2u], new ulong[] { 2, 3, 4 }.Select(path.TimelineOf));
        Assert.Equal("000000020000000000000003", path.FileOf(3).Text);
        Assert.Equal((2UL, 2UL), (path.First, path.BackupEnd));
    }

    [Fact]
    public async Task The_archive_carries_recovery_across_the_switch_ignoring_the_old_timeline_after_it()
    {
        var contents = await ContentsAsync(
            "000000010000000000000002", "000000010000000000000003.partial", "000000010000000000000004", "000000010000000000000005",
            "00000002.history", "000000020000000000000003", "000000020000000000000004");

        var reach = RecoveryPath.Of(Second, EarlyOnFirst, Size)!.Follow(contents);

        Assert.Equal("000000020000000000000004", reach.Last?.Text);
        Assert.Equal("000000020000000000000005", reach.FirstMissing.Text);
        Assert.False(reach.EndsAtGap); // timeline 1's segment 5 lies on the branch timeline 2 left
    }

    [Fact]
    public async Task The_old_timelines_copy_of_the_switch_segment_does_not_fill_a_gap_in_the_new_one()
    {
        var contents = await ContentsAsync("000000010000000000000002", "000000010000000000000003", "00000002.history", "000000020000000000000004");

        var reach = RecoveryPath.Of(Second, EarlyOnFirst, Size)!.Follow(contents);

        Assert.Equal("000000010000000000000002", reach.Last?.Text);
        Assert.Equal("000000020000000000000003", reach.FirstMissing.Text);
        Assert.Equal("000000020000000000000004", reach.ArchivedAfterGap?.Text);
        Assert.True(reach.EndsAtGap);
    }

    [Fact]
    public async Task With_two_switches_each_segment_comes_from_the_newest_timeline_begun_by_then()
    {
        var contents = await ContentsAsync(
            "000000010000000000000002", "000000010000000000000003", "000000010000000000000007",
            "000000020000000000000003", "000000020000000000000004", "000000020000000000000005",
            "000000030000000000000005", "000000030000000000000006");
        var path = RecoveryPath.Of(Third, EarlyOnFirst, Size)!;

        var reach = path.Follow(contents);

        Assert.Equal([1u, 2u, 2u, 3u, 3u], new ulong[] { 2, 3, 4, 5, 6 }.Select(path.TimelineOf));
        Assert.Equal("000000030000000000000006", reach.Last?.Text);
        Assert.Null(reach.ArchivedAfterGap);
        Assert.Equal([2UL, 3, 4, 5, 6], path.Archived(contents));
    }

    [Fact]
    public async Task A_missing_first_segment_is_named_with_its_timeline()
    {
        var contents = await ContentsAsync("000000010000000000000003");

        var reach = RecoveryPath.Of(new TimelineHistory(1, []), EarlyOnFirst, Size)!.Follow(contents);

        Assert.Null(reach.Last);
        Assert.Equal("000000010000000000000002", reach.FirstMissing.Text);
        Assert.True(reach.EndsAtGap);
    }

    [Fact]
    public void A_backup_on_the_branch_a_timeline_left_has_no_path_along_it()
    {
        var afterTheSwitch = new BackupWal(1, Position("0/4000028"), 1, Position("0/4000100"));
        var acrossTheSwitch = new BackupWal(1, Position("0/3000028"), 1, Position("0/3000200"));
        var onTheNewTimeline = new BackupWal(2, Position("0/4000028"), 2, Position("0/4000100"));

        Assert.Null(RecoveryPath.Of(Second, afterTheSwitch, Size));
        Assert.Null(RecoveryPath.Of(Second, acrossTheSwitch, Size));
        Assert.Null(RecoveryPath.Of(Third, afterTheSwitch, Size));
        Assert.NotNull(RecoveryPath.Of(Third, onTheNewTimeline, Size));
        Assert.Null(RecoveryPath.Of(new TimelineHistory(1, []), onTheNewTimeline, Size));
        Assert.NotNull(RecoveryPath.Of(new TimelineHistory(1, []), afterTheSwitch, Size));
    }

    [Fact]
    public void A_backup_of_a_standby_promoted_meanwhile_lies_on_the_history_that_switched_where_it_did()
    {
        var promotedDuring = new BackupWal(1, Position("0/2000028"), 2, Position("0/3000200"));

        Assert.NotNull(RecoveryPath.Of(Second, promotedDuring, Size));
        Assert.Null(RecoveryPath.Of(new TimelineHistory(1, []), promotedDuring, Size));
        Assert.Equal(3UL, RecoveryPath.Of(Second, promotedDuring, Size)!.BackupEnd);
    }

    private static WalPosition Position(string text) => WalPosition.TryParse(text)!.Value;

    // Only names matter to the listing: empty files stand in for the archived ones.
    private async Task<WalArchiveContents> ContentsAsync(params string[] files)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(_dir, "repo", WalArchiveLayout.FileKey("app", WalFileName.TryParse(file)!));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, [], Ct);
        }

        return await WalArchiveContents.ListAsync(_repository, "app", Size, Ct);
    }
}
