using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

public sealed class CopyTargetTests
{
    [Theory]
    [InlineData("COPY public.items (id, body) FROM stdin;\n", "public", "items")]
    [InlineData("COPY \"Odd Schema\".\"Odd \"\"Table\"\"\" (id) FROM stdin;\n", "Odd Schema", "Odd \"Table\"")]
    [InlineData("COPY \"Geo Data\".\"Parcels\" (id, geom, \"Mixed Case Column\") FROM stdin;\n", "Geo Data", "Parcels")]
    [InlineData("COPY s.t FROM stdin;\n", "s", "t")]
    public void The_table_a_COPY_statement_loads_is_read_as_pg_dump_quotes_it(string copy, string schema, string table) =>
        Assert.Equal((schema, table), CustomArchiveSplitter.CopyTarget(copy));

    [Theory]
    [InlineData("INSERT INTO public.items VALUES (1);")]
    [InlineData("COPY items (id) FROM stdin;")]
    [InlineData("COPY \"unterminated.items (id) FROM stdin;")]
    public void A_statement_of_another_shape_names_no_table(string copy) =>
        Assert.Null(CustomArchiveSplitter.CopyTarget(copy));
}
