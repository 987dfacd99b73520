using Lifeboat.Postgres.Wal;

namespace Lifeboat.Tests.Postgres.Wal;

public sealed class TimelineHistoryTests
{
    // As PostgreSQL 15 writes 00000003.history after two point-in-time recoveries.
    private const string Third = "1\t0/3000158\tno recovery target specified\n\n2\t0/5000060\tbefore 2026-12-03 10:42:35.445144+00\n";

    [Fact]
    public void A_history_file_gives_each_ancestor_and_where_the_next_timeline_branched_off()
    {
        var history = TimelineHistory.Parse(3, Third);

        Assert.Equal(
            [new TimelineBranch(1, new WalPosition(0x3000158), "no recovery target specified"), new TimelineBranch(2, new WalPosition(0x5000060), "before 2026-12-03 10:42:35.445144+00")],
            history.Branches);
    }

    [Fact]
    public void A_backup_leads_into_the_timeline_only_when_it_began_before_its_timeline_was_left_and_ended_on_it()
    {
        var history = TimelineHistory.Parse(3, Third);

        Assert.True(history.LeadsFrom(1, new WalPosition(0x2000028), new WalPosition(0x2000138)));
        Assert.True(history.LeadsFrom(2, new WalPosition(0x4000028), new WalPosition(0x5000060)));
        Assert.True(history.LeadsFrom(3, new WalPosition(0x9000000), new WalPosition(0x9000100)));
        Assert.False(history.LeadsFrom(1, new WalPosition(0x3000158), new WalPosition(0x3000200)));
        Assert.False(history.LeadsFrom(1, new WalPosition(0x2000028), new WalPosition(0x3000200)));
        Assert.False(history.LeadsFrom(4, new WalPosition(0x1000000), new WalPosition(0x1000100)));
    }

    [Fact]
    public void A_history_whose_later_switch_point_lies_before_an_earlier_one_is_what_postgresql_writes_and_reads()
    {
        // PostgreSQL 15 after a PITR to T1 (timeline 2), then from the same base backup a PITR to T0 < T1 (timeline 3).
        var history = TimelineHistory.Parse(3, "1\t0/800138\tbefore 2026-12-03 11:12:01.5+00\n\n2\t0/8000D0\tbefore 2026-12-03 11:11:58.1+00\n");

        Assert.Equal([1u, 3u, 3u], new ulong[] { 0x8000CF, 0x8000D0, 0x800138 }.Select(p => history.TimelineAt(new WalPosition(p))));
        Assert.False(history.LeadsFrom(2, new WalPosition(0x800138), new WalPosition(0x8000D0)));
    }

    [Theory]
    [InlineData("1\tnot-a-position\treason\n")]
    [InlineData("3\t0/3000158\treason\n")]
    [InlineData("2\t0/5000060\tr\n1\t0/3000158\tr\n")]
    [InlineData("1\t0/5000060\tr\n1\t0/6000000\tr\n")]
    public void A_damaged_history_file_is_refused_naming_the_line(string text)
    {
        var error = Assert.Throws<LifeboatException>(() => TimelineHistory.Parse(3, text));

        Assert.StartsWith("the history file of timeline 3 is damaged: line '", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0/7FA920", 0x7FA920UL)]
    [InlineData("1A/0", 0x1A_0000_0000UL)]
    [InlineData("FFFFFFFF/FFFFFFFF", ulong.MaxValue)]
    public void Positions_read_and_write_as_postgresql_spells_them(string text, ulong value)
    {
        Assert.Equal(new WalPosition(value), WalPosition.TryParse(text));
        Assert.Equal(text, new WalPosition(value).ToString());
    }

    [Theory]
    [InlineData("7FA920")]
    [InlineData("/1")]
    [InlineData("1/")]
    [InlineData("100000000/0")]
    [InlineData("0/-1")]
    public void Text_that_is_no_position_is_not_taken_for_one(string text)
    {
        Assert.Null(WalPosition.TryParse(text));
    }
}
