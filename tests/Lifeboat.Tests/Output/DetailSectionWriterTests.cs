using Lifeboat.Cli.Output;

namespace Lifeboat.Tests.Output;

/// <summary>How 'show' lays out a backup's sections: plain aligned text, the same on a terminal and in a pipe.</summary>
public sealed class DetailSectionWriterTests
{
    [Fact]
    public void Facts_are_aligned_on_their_values_and_tables_on_their_columns_with_numbers_to_the_right()
    {
        var output = new StringWriter { NewLine = "\n" };

        DetailSectionWriter.Write(output,
        [
            DetailSection.Facts("postgres", ("database", "app"), ("large objects", "0")),
            new("tables (2, 1001 rows)", [new("TABLE"), new("ROWS", Numeric: true)], [["public.items", "1000"], ["public.audit_log", "1"]]),
        ]);

        Assert.Equal(
            """
            postgres
              database       app
              large objects  0

            tables (2, 1001 rows)
              TABLE             ROWS
              public.items      1000
              public.audit_log     1

            """.ReplaceLineEndings("\n"),
            output.ToString());
    }

    [Fact]
    public void A_table_without_rows_says_none_instead_of_a_lone_header()
    {
        var output = new StringWriter { NewLine = "\n" };

        DetailSectionWriter.Write(output, [new("extensions (0)", [new("NAME"), new("VERSION")], [])]);

        Assert.Equal("extensions (0)\n  none\n", output.ToString());
    }
}
