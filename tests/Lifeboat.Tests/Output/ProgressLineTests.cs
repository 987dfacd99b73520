using Lifeboat.Cli.Output;

namespace Lifeboat.Tests.Output;

/// <summary>The progress line a CronJob's log shows every ten seconds.</summary>
public sealed class ProgressLineTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void An_estimated_total_is_marked_and_gives_the_time_left_at_the_current_rate()
    {
        var line = LogLineReporter.Line("pg_dump app", 512 * MiB, 2048 * MiB, estimated: true, TimeSpan.FromSeconds(8));

        Assert.Equal("pg_dump app: 512.0 MiB of ~2.0 GiB (64.0 MiB/s, about 24 s left)", line);
    }

    [Fact]
    public void Minutes_are_spelled_out_and_an_exact_total_has_no_tilde()
    {
        var line = LogLineReporter.Line("decrypting archive", 100 * MiB, 1000 * MiB, estimated: false, TimeSpan.FromSeconds(20));

        Assert.Equal("decrypting archive: 100.0 MiB of 1000.0 MiB (5.0 MiB/s, about 3 min 0 s left)", line);
    }

    [Fact]
    public void Past_an_estimate_or_without_a_total_no_time_left_is_claimed()
    {
        Assert.Equal("pg_dump app: 3.0 GiB of ~2.0 GiB (300.0 MiB/s)", LogLineReporter.Line("pg_dump app", 3072 * MiB, 2048 * MiB, estimated: true, TimeSpan.FromSeconds(10.24)));
        Assert.Equal("pg_dump app: 10.0 MiB (1.0 MiB/s)", LogLineReporter.Line("pg_dump app", 10 * MiB, null, estimated: false, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_task_counted_in_items_logs_its_phase_and_how_many_of_its_items_are_done()
    {
        Assert.Equal(
            "pg_restore --jobs 2: building indexes and constraints, 12 of 41 items",
            LogLineReporter.ItemsLine("pg_restore --jobs 2", new ItemsDone(12, "building indexes and constraints"), 41));
        Assert.Equal("12/41 items", ItemAwareColumn.Count(12, 41));
    }

    [Fact]
    public void A_task_of_no_items_shows_none_of_none_though_its_bar_needs_a_maximum_of_one()
    {
        var task = new Spectre.Console.ProgressTask(1, "pg_restore --jobs 2", maxValue: 1) { Tag = new ItemAwareColumn.ItemsTag(0) };

        Assert.Equal("0/0 items", ItemAwareColumn.CountOf(task));
        Assert.Null(ItemAwareColumn.CountOf(new Spectre.Console.ProgressTask(2, "pg_dump app", maxValue: 100)));
    }

    [Fact]
    public void In_a_log_the_final_count_is_written_even_within_ten_seconds_of_the_last_line()
    {
        var log = new StringWriter();
        var items = new LogLineReporter(log, quiet: false).StartItems("pg_restore --jobs 2", 6);

        items.Report(new ItemsDone(0, "loading tables"));
        items.Report(new ItemsDone(4, "loading tables"));
        items.Report(new ItemsDone(6, "finished"));

        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.EndsWith("INFO pg_restore --jobs 2: finished, 6 of 6 items", lines[^1], StringComparison.Ordinal);
    }
}
