using Lifeboat.Postgres.Wal;

namespace Lifeboat.Tests.Postgres.Wal;

public sealed class WalFileNameTests
{
    [Theory]
    [InlineData("000000010000000000000003", WalFileKind.Segment, 1u, 0u, 3u)]
    [InlineData("0000000A00000001000000FF", WalFileKind.Segment, 10u, 1u, 255u)]
    [InlineData("000000020000000000000003.partial", WalFileKind.Partial, 2u, 0u, 3u)]
    [InlineData("00000002.history", WalFileKind.History, 2u, 0u, 0u)]
    [InlineData("000000010000000000000003.00000028.backup", WalFileKind.BackupLabel, 1u, 0u, 3u)]
    public void Names_postgresql_archives_are_parsed_into_kind_timeline_and_segment(string text, WalFileKind kind, uint timeline, uint log, uint segment)
    {
        Assert.Equal(new WalFileName(kind, timeline, log, segment, text), WalFileName.TryParse(text));
    }

    [Theory]
    [InlineData("00000001000000000000000")]
    [InlineData("0000000100000000000000a3")]
    [InlineData("000000010000000000000003.partia")]
    [InlineData("../00000001.history")]
    [InlineData("archive_status")]
    public void Anything_else_is_not_taken_for_a_wal_file(string text)
    {
        Assert.Null(WalFileName.TryParse(text));
    }

    [Fact]
    public void Positions_map_to_segments_and_back_for_the_segment_size_in_use()
    {
        const long Size = WalFileName.DefaultSegmentSize;
        var name = WalFileName.OfPosition(1, 0x1_FF00_0028UL, Size);

        Assert.Equal("0000000100000001000000FF", name.Text);
        Assert.Equal(0x1_FF00_0000UL, name.StartPosition(Size));
        Assert.Equal("000000010000000200000000", WalFileName.OfNumber(1, name.Number(Size) + 1, Size).Text);
        Assert.Equal("000000010000000000000FFF", WalFileName.OfPosition(1, 0xFFF0_0000UL, 1 << 20).Text);
    }
}
