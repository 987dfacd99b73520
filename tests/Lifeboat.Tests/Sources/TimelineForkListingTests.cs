using System.Text.Json;
using Lifeboat.Cli.Output;
using Lifeboat.Cli.Sources.Postgres;
using Lifeboat.Tests.Postgres.Wal;
using static Lifeboat.Tests.Postgres.Wal.FakeArchive;

namespace Lifeboat.Tests.Sources;

/// <summary>How 'list' and the reporters word two live branches: one warning line naming both timelines and the flag that chooses.</summary>
public sealed class TimelineForkListingTests
{
    [Fact]
    public async Task A_fork_adds_one_warning_line_after_the_window_with_the_flag_that_follows_the_other_timeline()
    {
        var window = await ForkedAsync();

        var lines = RecoverableWindowText.Lines("app", window, 10, 1024);

        Assert.Equal(2, lines.Count);
        Assert.Contains("timeline 2; WAL archive", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("postgres/app: warning: two timelines went on writing: timeline 1 (which timeline 2 left at 0/5000100)", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(". hint: if timeline 1 is the one that matters, recover along it with --target-timeline 1", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_json_window_carries_the_fork()
    {
        var summary = RecoverableWindowSummary.Of((await ForkedAsync())!, 10, 1024);

        var json = JsonSerializer.SerializeToElement(summary, PostgresWindowJson.Default.RecoverableWindowSummary).GetProperty("fork");

        Assert.Equal((2u, 1u, "0/5000100", 4, Name(1, 12)), (json.GetProperty("followed").GetUInt32(), json.GetProperty("other").GetUInt32(), json.GetProperty("leftAt").GetString(), json.GetProperty("segmentsSince").GetInt32(), json.GetProperty("archivedUntil").GetString()));
    }

    [Fact]
    public void A_warning_with_a_remedy_is_logged_with_the_command_lines_hint()
    {
        using var log = new StringWriter();

        new LogLineReporter(log, quiet: true).Warning("two timelines went on writing", new Remedy(RemedyAction.ChooseTargetTimeline, "1"));

        Assert.EndsWith(" WARN two timelines went on writing. hint: if timeline 1 is the one that matters, recover along it with --target-timeline 1" + Environment.NewLine, log.ToString(), StringComparison.Ordinal);
    }

    private static Task<Lifeboat.Postgres.Wal.RecoverableWindow?> ForkedAsync() =>
        new FakeArchive()
            .Segments(1, 3, 8).Backup("b1", 1, 3, 3, 4)
            .History(2, 1, "0/5000100", storedAt: Noon.AddMinutes(10)).Segments(2, 5, 6, storedAt: Noon.AddMinutes(11))
            .Segments(1, 9, 12, storedAt: Noon.AddMinutes(20))
            .WindowAsync();
}
