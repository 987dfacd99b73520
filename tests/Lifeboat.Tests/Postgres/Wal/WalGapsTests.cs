using Lifeboat.Postgres.Wal;
using static Lifeboat.Tests.Postgres.Wal.FakeArchive;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>The integrity of the archived segment sequence per timeline, on made-up listings.</summary>
public sealed class WalGapsTests
{
    [Fact]
    public void A_complete_timeline_gets_one_line_naming_the_range_checked_from_the_oldest_base_backup()
    {
        var archive = new FakeArchive().Segments(1, 1, 9).Backup("b1", 1, 3, 4, 5);

        var findings = archive.Gaps();

        var only = Assert.Single(findings);
        Assert.False(only.IsProblem);
        Assert.Equal("timeline 1: 000000010000000000000003..000000010000000000000009 complete (7 segments)", only.Text);
    }

    [Fact]
    public void Segments_missing_at_the_start_and_in_the_middle_are_reported_as_ranges_and_the_backup_needing_them_as_incomplete()
    {
        var archive = new FakeArchive().Segments(1, 5, 6).Segments(1, 9, 9).Segments(1, 12, 12).Backup("b1", 1, 3, 4, 5);

        var findings = archive.Gaps();

        Assert.All(findings, f => Assert.True(f.IsProblem));
        Assert.Equal(
            [
                "timeline 1: 000000010000000000000003..000000010000000000000004 missing (2 segments)",
                "timeline 1: 000000010000000000000007..000000010000000000000008 missing (2 segments)",
                "timeline 1: 00000001000000000000000A..00000001000000000000000B missing (2 segments)",
                "base backup b1 needs 000000010000000000000003..000000010000000000000004 to become consistent; 000000010000000000000003..000000010000000000000004 missing: it cannot be recovered",
            ],
            findings.Select(f => f.Text));
    }

    [Fact]
    public void A_single_missing_segment_is_named_alone()
    {
        var archive = new FakeArchive().Segments(1, 3, 4).Segments(1, 6, 7).Backup("b1", 1, 3, 3, 1);

        var problem = Assert.Single(archive.Gaps(), f => f.IsProblem);

        Assert.Equal((WalFindingKind.Missing, "timeline 1: 000000010000000000000005 missing (1 segment)"), (problem.Kind, problem.Text));
    }

    [Fact]
    public void A_later_timeline_is_checked_from_its_own_start_in_its_history_and_a_partial_segment_ends_the_old_one()
    {
        var archive = new FakeArchive()
            .Segments(1, 3, 4).Partial(1, 5)
            .History(2, 1, "0/5000100").Segments(2, 5, 8)
            .Backup("b1", 1, 3, 3, 1);

        var findings = archive.Gaps();

        Assert.Equal(
            [
                "timeline 1: 000000010000000000000003..000000010000000000000005 complete (3 segments)",
                "timeline 2: 000000020000000000000005..000000020000000000000008 complete (4 segments)",
            ],
            findings.Select(f => f.Text));
    }

    [Fact]
    public void A_timeline_after_the_first_without_its_history_file_is_a_problem()
    {
        var archive = new FakeArchive().Segments(1, 3, 4).Segments(2, 5, 6).Backup("b1", 1, 3, 3, 1);

        var problem = Assert.Single(archive.Gaps(), f => f.IsProblem);

        Assert.Equal(WalFindingKind.NoHistory, problem.Kind);
        Assert.Equal("timeline 2: its history file 00000002.history is not archived; recovery cannot follow this timeline", problem.Text);
    }

    [Fact]
    public void Segments_archived_without_their_records_are_reported_as_ranges()
    {
        var archive = new FakeArchive().Segments(1, 3, 4).Segments(1, 5, 6, withRecords: false).Segments(1, 7, 7).Backup("b1", 1, 3, 3, 1);

        var problem = Assert.Single(archive.Gaps(), f => f.IsProblem);

        Assert.Equal(WalFindingKind.WithoutRecord, problem.Kind);
        Assert.StartsWith("timeline 1: 000000010000000000000005..000000010000000000000006 archived without the record of their commits (2 segments)", problem.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_base_backup_a_timeline_is_checked_from_its_oldest_archived_segment()
    {
        var archive = new FakeArchive().Segments(1, 7, 8).Segments(1, 10, 10);

        Assert.Equal(["timeline 1: 000000010000000000000009 missing (1 segment)"], archive.Gaps().Select(f => f.Text));
    }

    [Fact]
    public void A_timeline_that_ended_before_the_oldest_base_backup_needs_nothing_and_is_fine()
    {
        var archive = new FakeArchive()
            .Segments(1, 1, 2)
            .History(2, 1, "0/3000000").Segments(2, 3, 9)
            .Backup("b2", 2, 6, 6, 1);

        var findings = archive.Gaps();

        Assert.All(findings, f => Assert.False(f.IsProblem));
        Assert.Equal("timeline 1: ends before the oldest base backup's WAL begins (2 segment(s) archived, none needed)", findings[0].Text);
    }
}
