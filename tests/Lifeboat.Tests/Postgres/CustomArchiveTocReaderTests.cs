using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

public sealed class CustomArchiveTocReaderTests
{
    private static TestArchive Sample(int minor = 14) =>
        new TestArchive(minor)
            .Schema(1)
            .Table(2, TestArchive.Bytes(40))
            .DataNeverWritten(5)
            .LargeObjects(6, (16400, [TestArchive.Bytes(10)]));

    private static readonly (int DumpId, string Tag, string Desc, bool HasData)[] SampleEntries =
        [(1, "entry 1", "TABLE", false), (2, "entry 2", "TABLE DATA", true), (5, "entry 5", "TABLE DATA", true), (6, "entry 6", "TABLE DATA", true)];

    [Theory]
    [MemberData(nameof(TestArchive.KnownMinorVersions), MemberType = typeof(TestArchive))]
    public void Each_entry_s_id_names_and_data_flag_are_read_in_every_known_version(int minor)
    {
        var (reader, parser, _) = Read(Sample(minor).Build(withOffsets: false));

        Assert.Null(parser.Failure);
        Assert.Equal(SampleEntries, reader.Entries.Select(e => (e.DumpId, e.Tag!, e.Desc!, e.HasData)));
        Assert.All(reader.Entries, e => Assert.Equal(("public", (string?)null), (e.Schema, e.CopyStatement)));
    }

    [Theory]
    [MemberData(nameof(TestArchive.KnownMinorVersions), MemberType = typeof(TestArchive))]
    public void Each_entry_s_section_is_read_so_a_restore_can_count_what_follows_the_schema(int minor)
    {
        var (reader, _, _) = Read(Sample(minor).Build(withOffsets: false));

        // TestArchive files an entry with data under pg_dump's data section (3) and one without under pre-data (2).
        Assert.Equal(
            [CustomArchiveSection.PreData, CustomArchiveSection.Data, CustomArchiveSection.Data, CustomArchiveSection.Data],
            reader.Entries.Select(e => e.Section));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void The_entries_do_not_depend_on_how_the_bytes_are_split_into_pieces(int piece)
    {
        var (reader, _, _) = Read(Sample().Build(withOffsets: false), piece);

        Assert.Equal(SampleEntries, reader.Entries.Select(e => (e.DumpId, e.Tag!, e.Desc!, e.HasData)));
    }

    [Fact]
    public void Reading_stops_after_the_last_entry_s_offset_field_where_the_first_data_block_starts()
    {
        var bytes = Sample().Build(withOffsets: false);

        var (reader, parser, taken) = Read(bytes);

        Assert.True(parser.Ended);
        Assert.Equal(reader.Entries[^1].OffsetField + 1 + reader.Header!.OffsetSize, taken);
        Assert.Equal(CustomArchiveFormat.BlockData, bytes[taken]);
    }

    [Fact]
    public void Two_entries_with_one_id_are_not_read_as_a_table_of_contents()
    {
        var (_, parser, _) = Read(new TestArchive().Schema(1).Schema(1).Build(withOffsets: false));

        Assert.Equal("two TOC entries have the id 1", parser.Failure);
    }

    [Fact]
    public void Bytes_that_are_not_a_pg_dump_archive_are_said_to_be_so()
    {
        var (_, parser, _) = Read("PGDMQ and more"u8.ToArray());

        Assert.Equal("it is not a pg_dump archive", parser.Failure);
    }

    private static (CustomArchiveTocReader Reader, CustomArchivePushParser Parser, int Taken) Read(byte[] archive, int piece = 1 << 20)
    {
        var reader = new CustomArchiveTocReader();
        var parser = new CustomArchivePushParser(reader.Read);
        var taken = 0;
        for (var at = 0; at < archive.Length && !parser.Ended; at += piece)
            taken += parser.Observe(archive.AsSpan(at, Math.Min(piece, archive.Length - at)));
        return (reader, parser, taken);
    }
}
