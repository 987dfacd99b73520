using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

public sealed class PgRestoreFinishedItemTests
{
    [Fact]
    public void A_finished_table_data_line_gives_its_dump_id_and_table()
    {
        Assert.True(PgRestoreFinishedItem.TryParse("pg_restore: finished item 3217 TABLE DATA order items", out var item));

        Assert.Equal(3217, item.DumpId);
        Assert.Equal("order items", item.TableDataTag);
    }

    [Fact]
    public void A_finished_item_that_is_not_table_data_has_its_dump_id_but_no_table()
    {
        Assert.True(PgRestoreFinishedItem.TryParse("pg_restore: finished item 4001 INDEX items_pkey", out var item));

        Assert.Equal(4001, item.DumpId);
        Assert.Null(item.TableDataTag);
    }

    [Theory]
    [InlineData("pg_restore: launching item 3217 TABLE DATA items")]
    [InlineData("pg_restore: finished main parallel loop")]
    [InlineData("pg_restore: finished item x TABLE DATA items")]
    [InlineData("pg_restore: finished item 3217")]
    [InlineData("pg_restore: finished item -3 TABLE DATA items")]
    public void Other_lines_are_not_finished_items(string line)
    {
        Assert.False(PgRestoreFinishedItem.TryParse(line, out _));
    }
}
