using static Lifeboat.Tests.Postgres.Wal.FakeArchive;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>The recoverable window on made-up archives: its start, its end in commit times, the timeline it follows, and the gaps that cut it.</summary>
public sealed class RecoverableWindowTests
{
    [Fact]
    public async Task The_window_runs_from_the_oldest_base_backup_to_the_last_archived_commit_reachable_from_the_newest()
    {
        var archive = new FakeArchive().Segments(1, 3, 8).Segments(1, 9, 9, withCommits: false).Backup("b1", 1, 3, 3, 4).Backup("b2", 1, 6, 6, 7);

        var window = (await archive.WindowAsync())!;

        Assert.Equal("b1", window.Earliest!.Id);
        Assert.Equal(CommitTime(1, 8), window.LastCommit!.Time); // segment 9 recorded no commit
        Assert.Equal(Name(1, 9), window.LastSegment);
        Assert.Equal(1u, window.Timeline);
        Assert.Empty(window.Cuts);
    }

    [Fact]
    public async Task A_gap_after_the_newest_base_backup_ends_the_window_at_the_last_commit_before_it()
    {
        var archive = new FakeArchive().Segments(1, 3, 5).Segments(1, 7, 9).Backup("b1", 1, 3, 3, 4);

        var window = (await archive.WindowAsync())!;

        Assert.Equal(CommitTime(1, 5), window.LastCommit!.Time);
        Assert.Equal(Name(1, 5), window.LastSegment);
        var cut = Assert.Single(window.Cuts);
        Assert.Equal((Name(1, 6), 1UL, CommitTime(1, 5)), (cut.Missing, cut.MissingSegments, cut.LastCommitBefore!.Time));
        Assert.Null(cut.ResumesWith);
        Assert.Equal((3, Name(1, 9)), (cut.ArchivedAfter, cut.ArchivedUntil));
    }

    [Fact]
    public async Task A_gap_between_base_backups_is_a_hole_until_the_next_backup_and_the_window_goes_on_from_it()
    {
        var archive = new FakeArchive().Segments(1, 3, 4).Segments(1, 7, 10).Backup("b1", 1, 3, 3, 4).Backup("b2", 1, 8, 8, 9);

        var window = (await archive.WindowAsync())!;

        Assert.Equal("b1", window.Earliest!.Id);
        Assert.Equal(CommitTime(1, 10), window.LastCommit!.Time);
        var cut = Assert.Single(window.Cuts);
        Assert.Equal($"{Name(1, 5)}..{Name(1, 6)}", cut.Missing);
        Assert.Equal(CommitTime(1, 4), cut.LastCommitBefore!.Time);
        Assert.Equal("b2", cut.ResumesWith!.Id);
    }

    [Fact]
    public async Task The_window_follows_the_newest_timeline_whose_history_leads_from_the_newest_backup_not_the_old_timeline_going_on()
    {
        var archive = new FakeArchive()
            .Segments(1, 3, 6) // the old primary went on writing timeline 1 after the switch
            .History(2, 1, "0/5000100").Segments(2, 5, 7)
            .Backup("b1", 1, 3, 3, 4);

        var window = (await archive.WindowAsync())!;

        Assert.Equal(2u, window.Timeline);
        Assert.Equal(Name(2, 7), window.LastSegment);
        Assert.Equal(CommitTime(2, 7), window.LastCommit!.Time);
        Assert.Empty(window.Cuts);
    }

    [Fact]
    public async Task A_gap_at_the_timeline_switch_cuts_the_window_naming_the_new_timelines_segment()
    {
        var archive = new FakeArchive()
            .Segments(1, 3, 4)
            .History(2, 1, "0/5000100").Segments(2, 6, 7)
            .Backup("b1", 1, 3, 3, 4);

        var window = (await archive.WindowAsync())!;

        Assert.Equal(Name(1, 4), window.LastSegment);
        Assert.Equal(Name(2, 5), Assert.Single(window.Cuts).Missing);
    }

    [Fact]
    public async Task A_later_timeline_without_its_history_is_not_followed()
    {
        var archive = new FakeArchive().Segments(1, 3, 6).Segments(2, 5, 9).Backup("b1", 1, 3, 3, 4);

        var window = (await archive.WindowAsync())!;

        Assert.Equal(1u, window.Timeline);
        Assert.Equal(Name(1, 6), window.LastSegment);
    }

    [Fact]
    public async Task A_base_backup_missing_wal_it_needs_does_not_start_the_window()
    {
        var archive = new FakeArchive().Segments(1, 3, 3).Segments(1, 5, 8).Backup("b1", 1, 3, 4, 4).Backup("b2", 1, 6, 6, 7);

        var window = (await archive.WindowAsync())!;

        Assert.Equal("b2", window.Earliest!.Id);
        Assert.Empty(window.Cuts); // the gap lies before the window
    }

    [Fact]
    public async Task Without_a_base_backup_there_is_no_window_and_without_a_usable_one_it_is_empty()
    {
        var none = await new FakeArchive().Segments(1, 3, 8).WindowAsync();
        var unusable = (await new FakeArchive().Segments(1, 5, 8).Backup("b1", 1, 3, 4, 4).WindowAsync())!;

        Assert.Null(none);
        Assert.Null(unusable.Earliest);
        Assert.Null(unusable.LastCommit);
    }
}
