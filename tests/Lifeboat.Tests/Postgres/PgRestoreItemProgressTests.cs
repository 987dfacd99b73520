using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

/// <summary>The progress of pg_restore --jobs through tables' data, indexes and constraints, read from its --verbose lines.</summary>
public sealed class PgRestoreItemProgressTests
{
    // Two tables' data and a sequence value, then an index, a primary key and a foreign key; a table and a comment besides.
    private static readonly CustomArchiveTocEntry[] Entries =
    [
        Entry(10, "TABLE", CustomArchiveSection.PreData),
        Entry(20, "TABLE DATA", CustomArchiveSection.Data),
        Entry(21, "TABLE DATA", CustomArchiveSection.Data),
        Entry(22, "SEQUENCE SET", CustomArchiveSection.Data),
        Entry(30, "INDEX", CustomArchiveSection.PostData),
        Entry(31, "CONSTRAINT", CustomArchiveSection.PostData),
        Entry(32, "FK CONSTRAINT", CustomArchiveSection.PostData),
        Entry(40, "COMMENT", CustomArchiveSection.None),
    ];

    [Fact]
    public void The_total_is_the_data_and_post_data_items_and_the_count_starts_at_zero_loading_tables()
    {
        var reporter = new ItemsRecorder();

        var progress = new PgRestoreItemProgress(Entries, reporter, jobs: 2);

        Assert.Equal(6, progress.Total);
        Assert.Equal(("pg_restore --jobs 2", 6), (reporter.Description, reporter.Total));
        Assert.Equal([new ItemsDone(0, "loading tables")], reporter.Reports);
    }

    [Fact]
    public void Finished_items_count_up_to_the_total_and_the_phase_is_what_pg_restore_s_workers_are_running()
    {
        var reporter = new ItemsRecorder();
        var progress = new PgRestoreItemProgress(Entries, reporter, jobs: 2);

        foreach (var line in new[]
        {
            "pg_restore: launching item 20 TABLE DATA big",
            "pg_restore: launching item 21 TABLE DATA small",
            "pg_restore: finished item 20 TABLE DATA big",
            "pg_restore: launching item 30 INDEX big_name_idx",
            "pg_restore: finished item 21 TABLE DATA small",
            "pg_restore: launching item 31 CONSTRAINT big_pkey",
            "pg_restore: finished item 30 INDEX big_name_idx",
            "pg_restore: launching item 22 SEQUENCE SET big_id_seq",
            "pg_restore: finished item 22 SEQUENCE SET big_id_seq",
            "pg_restore: finished item 31 CONSTRAINT big_pkey",
            "pg_restore: launching item 32 FK CONSTRAINT small_big_fkey",
            "pg_restore: finished item 32 FK CONSTRAINT small_big_fkey",
        })
        {
            progress.Observe(line);
        }

        Assert.Equal(
            [
                new ItemsDone(0, "loading tables"),
                new ItemsDone(1, "loading tables"),
                new ItemsDone(1, "loading tables, building indexes"),
                new ItemsDone(2, "building indexes and constraints"),
                new ItemsDone(3, "building indexes and constraints"),
                new ItemsDone(3, "loading tables, building indexes"),
                new ItemsDone(4, "building indexes and constraints"),
                new ItemsDone(5, "building indexes and constraints"),
                new ItemsDone(6, "building indexes and constraints"),
            ],
            reporter.Reports);
    }

    [Fact]
    public void Items_outside_the_count_a_second_report_of_one_item_and_other_lines_do_not_move_it()
    {
        var reporter = new ItemsRecorder();
        var progress = new PgRestoreItemProgress(Entries, reporter, jobs: 4);

        progress.Observe("pg_restore: launching item 40 COMMENT INDEX big_name_idx");
        progress.Observe("pg_restore: finished item 40 COMMENT INDEX big_name_idx");
        progress.Observe("pg_restore: finished item 99 INDEX not_in_the_archive");
        progress.Observe("pg_restore: processing item 10 TABLE big");
        progress.Observe("pg_restore: finished item 20 TABLE DATA big");
        progress.Observe("pg_restore: finished item 20 TABLE DATA big");

        Assert.Equal([new ItemsDone(0, "loading tables"), new ItemsDone(1, "loading tables")], reporter.Reports);
    }

    [Fact]
    public void A_restore_that_first_creates_the_schema_says_so_until_its_first_worker_starts()
    {
        var reporter = new ItemsRecorder();
        var progress = new PgRestoreItemProgress(Entries, reporter, jobs: 2, firstPhase: "creating the schema");

        progress.Observe("pg_restore: processing item 10 TABLE big");
        progress.Observe("pg_restore: launching item 20 TABLE DATA big");

        Assert.Equal([new ItemsDone(0, "creating the schema"), new ItemsDone(0, "loading tables")], reporter.Reports);
    }

    [Fact]
    public void At_the_end_items_pg_restore_never_reported_count_as_done_and_the_count_reaches_the_total()
    {
        var reporter = new ItemsRecorder();
        var progress = new PgRestoreItemProgress(Entries, reporter, jobs: 2);
        progress.Observe("pg_restore: finished item 20 TABLE DATA big");
        progress.Observe("pg_restore: finished item 21 TABLE DATA small");

        progress.Complete();

        Assert.Equal(new ItemsDone(6, "finished"), reporter.Reports[^1]);
    }

    [Fact]
    public void An_archive_with_no_data_or_post_data_items_counts_none_of_none_and_finishes()
    {
        var reporter = new ItemsRecorder();
        var progress = new PgRestoreItemProgress([Entry(10, "TABLE", CustomArchiveSection.PreData)], reporter, jobs: 2);

        progress.Complete();

        Assert.Equal(0, reporter.Total);
        Assert.Equal(new ItemsDone(0, "finished"), reporter.Reports[^1]);
    }

    private static CustomArchiveTocEntry Entry(int dumpId, string desc, CustomArchiveSection section) =>
        new(dumpId, $"entry {dumpId}", desc, null, "public", 0, section == CustomArchiveSection.Data, section);

    /// <summary>A reporter that keeps the one items task it is given and every report made to it.</summary>
    private sealed class ItemsRecorder : IActivityReporter, IProgress<ItemsDone>
    {
        public string? Description { get; private set; }

        public int Total { get; private set; }

        public List<ItemsDone> Reports { get; } = [];

        public void Event(string message) { }

        public void Warning(string message) { }

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) => throw new InvalidOperationException("no transfer expected");

        public IProgress<ItemsDone> StartItems(string description, int totalItems)
        {
            (Description, Total) = (description, totalItems);
            return this;
        }

        public void Report(ItemsDone value) => Reports.Add(value);
    }
}
