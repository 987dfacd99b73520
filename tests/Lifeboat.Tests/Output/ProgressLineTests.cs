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
}
