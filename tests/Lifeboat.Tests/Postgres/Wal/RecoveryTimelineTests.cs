using Lifeboat.Postgres.Wal;
using static Lifeboat.Tests.Postgres.Wal.FakeArchive;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>
/// The timeline the window and check's backup findings follow is the one restore pitr follows by default, walked file by
/// file as recovery reads it, with the timeline each base backup stopped on; and two live branches are told apart from
/// the WAL a point-in-time recovery leaves behind.
/// </summary>
public sealed class RecoveryTimelineTests
{
    [Fact]
    public async Task The_window_follows_the_newest_timeline_containing_any_backup_even_when_the_newest_backup_lies_on_another_branch()
    {
        // b1 on timeline 1; timeline 2 left it in segment 6 and b2 was taken there; timeline 3 left timeline 1 earlier, in segment 4.
        var archive = new FakeArchive()
            .Segments(1, 2, 8).Backup("b1", 1, 2, 2, 2)
            .History(2, 1, "0/6000100").Segments(2, 6, 10).Backup("b2", 2, 8, 8, 8)
            .History(3, 1, "0/4000100").Segments(3, 4, 5);

        var window = (await archive.WindowAsync())!;

        Assert.Equal((3u, "b1", Name(3, 5)), (window.Timeline, window.Earliest!.Id, window.LastSegment));
        Assert.Equal(CommitTime(3, 5), window.LastCommit!.Time);
        Assert.Empty(window.Cuts); // b2 lies off timeline 3's history: it neither starts the window nor resumes it
    }

    [Fact]
    public async Task A_backup_of_a_standby_promoted_while_it_ran_starts_the_window_reading_the_new_timelines_files_after_the_switch()
    {
        // Started on timeline 1 in segment 5, stopped on timeline 2 (which began in segment 5) in segment 6.
        var archive = new FakeArchive()
            .Segments(1, 3, 4).Partial(1, 5)
            .History(2, 1, "0/5800000").Segments(2, 5, 8)
            .Backup("b1", 1, 5, 6, 1, stopTimeline: 2);

        var window = (await archive.WindowAsync())!;

        Assert.Equal(("b1", 2u, Name(2, 8)), (window.Earliest!.Id, window.Timeline, window.LastSegment));
        Assert.DoesNotContain(archive.Gaps(), f => f.Kind == WalFindingKind.BackupIncomplete);
    }

    [Fact]
    public void A_backup_of_a_promoted_standby_missing_the_new_timelines_segment_is_named_incomplete_by_that_timelines_file()
    {
        var archive = new FakeArchive()
            .Segments(1, 3, 4).Partial(1, 5)
            .History(2, 1, "0/5800000").Segments(2, 5, 5).Segments(2, 7, 8)
            .Backup("b1", 1, 5, 6, 1, stopTimeline: 2);

        var incomplete = Assert.Single(archive.Gaps(), f => f.Kind == WalFindingKind.BackupIncomplete);

        Assert.Equal(2u, incomplete.Timeline);
        Assert.Equal($"base backup b1 needs {Name(1, 5)}..{Name(2, 6)} to become consistent; {Name(2, 6)} missing: it cannot be recovered", incomplete.Text);
    }

    [Fact]
    public void A_backup_that_stopped_on_a_timeline_whose_history_is_not_archived_cannot_be_placed_and_says_so()
    {
        var archive = new FakeArchive().Segments(1, 3, 5).Segments(2, 5, 8).Backup("b1", 1, 5, 6, 1, stopTimeline: 2);

        var incomplete = Assert.Single(archive.Gaps(), f => f.Kind == WalFindingKind.BackupIncomplete);

        Assert.StartsWith("base backup b1 started on timeline 1 and stopped on timeline 2, and no archived history of timeline 2 contains it", incomplete.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeline_whose_parent_went_on_writing_after_it_began_is_followed_with_a_fork_naming_both()
    {
        // A scratch copy recovered to segment 5 at 12:10 and archived timeline 2; production went on with timeline 1.
        var archive = new FakeArchive()
            .Segments(1, 3, 8).Backup("b1", 1, 3, 3, 4)
            .History(2, 1, "0/5000100", storedAt: Noon.AddMinutes(10)).Segments(2, 5, 6, storedAt: Noon.AddMinutes(11))
            .Segments(1, 9, 12, storedAt: Noon.AddMinutes(20));

        var window = (await archive.WindowAsync())!;

        Assert.Equal(2u, window.Timeline);
        Assert.Equal(new TimelineFork(2, 1, new WalPosition(0x5000100), 4, WalFileName.TryParse(Name(1, 12))!), window.Fork);
        Assert.Equal(new Remedy(RemedyAction.ChooseTargetTimeline, "1"), window.Fork!.Remedy);
        Assert.StartsWith($"two timelines went on writing: timeline 1 (which timeline 2 left at 0/5000100) archived 4 segment(s) after timeline 2 began, up to {Name(1, 12)}; recovery follows timeline 2, the latest", window.Fork.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_wal_a_point_in_time_recovery_left_behind_on_the_old_timeline_is_no_fork()
    {
        // Everything on timeline 1 was archived before timeline 2 began (a restore back to segment 5): nothing went on.
        var archive = new FakeArchive()
            .Segments(1, 3, 12).Backup("b1", 1, 3, 3, 4)
            .History(2, 1, "0/5000100", storedAt: Noon.AddMinutes(30)).Segments(2, 5, 6, storedAt: Noon.AddMinutes(31));

        var window = (await archive.WindowAsync())!;

        Assert.Equal(2u, window.Timeline);
        Assert.Null(window.Fork);
    }

    [Fact]
    public async Task A_branch_beside_the_followed_timeline_that_went_on_after_it_began_is_the_fork_not_their_old_common_parent()
    {
        // Timeline 2 is production after a failover; timeline 3, a scratch copy of an older moment, is the latest.
        var archive = new FakeArchive()
            .Segments(1, 2, 8).Backup("b1", 1, 2, 2, 2)
            .History(2, 1, "0/6000100").Segments(2, 6, 9)
            .History(3, 1, "0/4000100", storedAt: Noon.AddMinutes(10)).Segments(3, 4, 5, storedAt: Noon.AddMinutes(11))
            .Segments(2, 10, 11, storedAt: Noon.AddMinutes(15));

        var window = (await archive.WindowAsync())!;

        Assert.Equal(3u, window.Timeline);
        Assert.Equal(new TimelineFork(3, 2, null, 2, WalFileName.TryParse(Name(2, 11))!), window.Fork);
        Assert.Contains("timeline 2 (a branch beside timeline 3)", window.Fork!.Text, StringComparison.Ordinal);
    }
}
