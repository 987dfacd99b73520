using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Postgres;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>The custom-to-directory rewrite against archives of the installed pg_dump.</summary>
public sealed class CustomArchiveSplitterPgDumpTests
{
    // Many rows (one chunk each with --compress=0), rows wider than a chunk buffer, an empty table, a
    // sequence, and a schema and table whose names need quotes.
    private const string Sql = """"
        CREATE TABLE items (id int PRIMARY KEY, body text NOT NULL);
        INSERT INTO items SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 20000) g;
        CREATE TABLE wide (id int PRIMARY KEY, body text NOT NULL);
        INSERT INTO wide SELECT g, repeat(md5(g::text), 60000) FROM generate_series(1, 3) g;
        CREATE TABLE empty_table (id int);
        CREATE SEQUENCE counter START 41;
        SELECT nextval('counter');
        CREATE SCHEMA "Odd Schema";
        CREATE TABLE "Odd Schema"."Odd ""Table""" (id int PRIMARY KEY, note text);
        INSERT INTO "Odd Schema"."Odd ""Table""" SELECT g, E'line\nbreak\ttab ' || g FROM generate_series(1, 500) g;
        """";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_streamed_dump_split_into_a_directory_restores_with_pg_restore_jobs_to_the_same_data()
    {
        await using var database = await TestDatabase.CreateAsync("split", Sql);
        var directory = Directory.CreateTempSubdirectory("lifeboat-split-").FullName;
        try
        {
            var splitter = new CustomArchiveSplitter(new MemoryStream(await PgCommand.DumpAsync(database.Name)), directory);

            Assert.Null(await splitter.ReadTableOfContentsAsync(Ct));
            await splitter.WriteTableOfContentsAsync(Ct);
            var arrived = new List<ArchiveDataItem>();
            await splitter.SplitDataAsync(item =>
            {
                Assert.True(File.Exists(Path.Combine(directory, item.FileName)), $"{item.FileName} was announced before it was in place");
                arrived.Add(item);
                return Task.CompletedTask;
            }, Ct);

            Assert.Equal(splitter.DataItems, arrived);
            Assert.Contains(arrived, i => i is { Schema: "Odd Schema", Table: "Odd \"Table\"" });
            Assert.Empty(Directory.GetFiles(directory, ".*"));
            var target = database.Companion("restored");
            await TestDatabase.AdminAsync($"CREATE DATABASE \"{target}\"");
            await PgCommand.RunAsync("pg_restore", PgCommand.Connection(target, "--jobs=2", "--no-owner", "--no-privileges", "--exit-on-error", directory));
            Assert.Equal(await DatabaseFingerprint.TakeAsync(database.Name), await DatabaseFingerprint.TakeAsync(target));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_dump_with_large_objects_is_not_split_and_passes_on_byte_for_byte()
    {
        await using var database = await TestDatabase.CreateAsync("splitlo", Sql + "SELECT lo_from_bytea(0, '\\x0102'::bytea);");
        var dump = await PgCommand.DumpAsync(database.Name);
        var splitter = new CustomArchiveSplitter(new MemoryStream(dump), Path.GetTempPath());

        var why = await splitter.ReadTableOfContentsAsync(Ct);
        using var whole = new MemoryStream();
        await splitter.CopyWholeAsync(whole, 4096, Ct);

        Assert.Equal("it holds large objects", why);
        Assert.Equal(dump, whole.ToArray());
    }

    [Fact]
    public async Task A_dump_that_loads_partitions_through_their_root_is_not_split()
    {
        // pg_restore would COPY into the root, which the gate does not hold, before opening the partition's file.
        await using var database = await TestDatabase.CreateAsync("splitroot", """
            CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
            CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
            INSERT INTO events SELECT g, DATE '2026-01-01' + g FROM generate_series(1, 100) g;
            """);
        var splitter = new CustomArchiveSplitter(new MemoryStream(await PgCommand.DumpAsync(database.Name, "--load-via-partition-root")), Path.GetTempPath());

        var why = await splitter.ReadTableOfContentsAsync(Ct);

        Assert.Equal("it loads public.events_2026 through its partition root (pg_dump --load-via-partition-root)", why);
    }

    [Fact]
    public async Task A_dump_cut_inside_its_data_fails_the_split_saying_where_it_ends()
    {
        await using var database = await TestDatabase.CreateAsync("splitcut", Sql);
        var dump = await PgCommand.DumpAsync(database.Name);
        var directory = Directory.CreateTempSubdirectory("lifeboat-split-").FullName;
        try
        {
            var splitter = new CustomArchiveSplitter(new MemoryStream(dump[..(dump.Length * 3 / 5)]), directory);
            Assert.Null(await splitter.ReadTableOfContentsAsync(Ct));

            var error = await Assert.ThrowsAsync<LifeboatException>(() => splitter.SplitDataAsync(_ => Task.CompletedTask, Ct));

            Assert.Contains("the pg_dump archive ends in the middle", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
