using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Postgres;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>The one reader of a custom archive's TOC against archives of the installed pg_dump.</summary>
public sealed class CustomArchiveTocReaderPgDumpTests
{
    // Tables with rows and without, a sequence, an index, and a schema and table whose names need quotes.
    private const string Sql = """"
        CREATE TABLE items (id int PRIMARY KEY, body text NOT NULL);
        INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 2000) g;
        CREATE TABLE empty_table (id int);
        CREATE SEQUENCE counter START 41;
        CREATE SCHEMA "Odd Schema";
        CREATE TABLE "Odd Schema"."Odd ""Table""" (id int PRIMARY KEY, note text);
        INSERT INTO "Odd Schema"."Odd ""Table""" SELECT g, 'note ' || g FROM generate_series(1, 50) g;
        """";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_entries_read_are_those_pg_restore_lists_with_the_same_kind_schema_and_name()
    {
        await using var database = await TestDatabase.CreateAsync("tocread", Sql);
        var dump = await PgCommand.DumpAsync(database.Name);
        var reader = new CustomArchiveTocReader();
        var parser = new CustomArchivePushParser(reader.Read);

        parser.Observe(dump);
        var listed = await ListAsync(dump);

        Assert.True(parser.Ended);
        Assert.Null(parser.Failure);
        Assert.NotEmpty(listed);
        var byId = reader.Entries.ToDictionary(e => e.DumpId);
        foreach (var line in listed)
        {
            // pg_restore --list: "id; tableoid oid desc schema tag owner", with "-" for no schema.
            var entry = byId[int.Parse(line[..line.IndexOf(';', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.Contains($" {entry.Desc} {entry.Schema ?? "-"} {entry.Tag} ", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_splitter_and_the_offsets_scanner_agree_on_which_entries_of_a_real_dump_have_data()
    {
        await using var database = await TestDatabase.CreateAsync("tocagree", Sql);
        var dump = await PgCommand.DumpAsync(database.Name);
        var reader = new CustomArchiveTocReader();
        new CustomArchivePushParser(reader.Read).Observe(dump);
        var splitter = new CustomArchiveSplitter(new MemoryStream(dump), Path.GetTempPath());
        var scanner = new CustomArchiveScanner();

        Assert.Null(await splitter.ReadTableOfContentsAsync(Ct));
        scanner.Observe(dump);

        Assert.True(scanner.Understood);
        var splitFields = splitter.DataItems.Select(i => reader.Entries.Single(e => e.DumpId == i.DumpId).OffsetField);
        Assert.Equal(splitFields.Order(), scanner.DataOffsets.Select(o => o.Field).Order());
        Assert.Contains(splitter.DataItems, i => i is { Schema: "Odd Schema", Table: "Odd \"Table\"" });
        Assert.Contains(splitter.DataItems, i => i is { Schema: "public", Table: "empty_table" });
    }

    private static async Task<List<string>> ListAsync(byte[] dump)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lifeboat-toc-{Guid.NewGuid():N}.dump");
        try
        {
            await File.WriteAllBytesAsync(path, dump, Ct);
            using var process = PgCommand.Start("pg_restore", ["--list", path]);
            var output = await process.StandardOutput.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            Assert.Equal(0, process.ExitCode);
            return output.Split('\n').Where(l => l.Length > 0 && char.IsAsciiDigit(l[0])).ToList();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
