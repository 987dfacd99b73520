using System.Text.Json;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Output;
using Lifeboat.Cli.Sources.Postgres;
using Lifeboat.Tests.Postgres.Wal;
using static Lifeboat.Tests.Postgres.Wal.FakeArchive;

namespace Lifeboat.Tests.Sources;

/// <summary>How 'list' words a source's recoverable window and its base backups, and what 'list --json' adds for them.</summary>
public sealed class RecoverableWindowListingTests
{
    [Fact]
    public async Task A_whole_window_is_one_line_from_the_oldest_backup_to_the_last_commit_to_the_microsecond_with_the_archive_size()
    {
        var window = await new FakeArchive().Segments(1, 3, 8).Backup("b1", 1, 3, 3, 4).WindowAsync();

        var lines = RecoverableWindowText.Lines("app", window, 6, 3 << 20);

        Assert.Equal(
            ["postgres/app: recoverable from 2026-12-03 12:04:00 UTC (base backup b1, consistent at 0/3000100) to 2026-12-03 12:08:01.000000 UTC (last archived commit, in 000000010000000000000008), timeline 1; WAL archive: 6 segment(s), 3.0 MiB"],
            lines);
    }

    [Fact]
    public async Task A_gap_after_the_newest_backup_says_where_the_window_ends_and_what_cannot_be_reached()
    {
        var window = await new FakeArchive().Segments(1, 3, 5).Segments(1, 8, 9).Backup("b1", 1, 3, 3, 4).WindowAsync();

        var lines = RecoverableWindowText.Lines("app", window, 5, 1024);

        Assert.Equal(2, lines.Count);
        Assert.Contains(" to 2026-12-03 12:05:01.000000 UTC (last archived commit, in 000000010000000000000005)", lines[0], StringComparison.Ordinal);
        Assert.Equal("postgres/app: WAL 000000010000000000000006..000000010000000000000007 is missing (2 segments): the window ends at 2026-12-03 12:05:01.000000 UTC; 2 segment(s) archived after it, up to 000000010000000000000009, cannot be reached", lines[1]);
    }

    [Fact]
    public async Task A_gap_between_backups_is_a_hole_named_with_the_backup_the_window_starts_again_from()
    {
        var window = await new FakeArchive().Segments(1, 3, 4).Segments(1, 7, 9).Backup("b1", 1, 3, 3, 4).Backup("b2", 1, 7, 7, 8).WindowAsync();

        var lines = RecoverableWindowText.Lines("app", window, 5, 1024);

        Assert.Equal("postgres/app: WAL 000000010000000000000005..000000010000000000000006 is missing (2 segments): nothing between 2026-12-03 12:04:01.000000 UTC and 2026-12-03 12:08:00 UTC (base backup b2) is recoverable", lines[1]);
    }

    [Fact]
    public async Task Without_a_base_backup_or_a_usable_one_the_line_says_nothing_is_recoverable_and_why()
    {
        var none = RecoverableWindowText.Lines("app", null, 3, 1024);
        var unusable = RecoverableWindowText.Lines("app", await new FakeArchive().Segments(1, 5, 8).Backup("b1", 1, 3, 4, 4).WindowAsync(), 4, 1024);

        Assert.StartsWith("postgres/app: nothing recoverable to a point in time yet: no base backup", Assert.Single(none), StringComparison.Ordinal);
        Assert.StartsWith("postgres/app: nothing recoverable to a point in time: no base backup has all the WAL it needs", Assert.Single(unusable), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_json_window_gives_utc_times_the_cut_and_the_archive_size()
    {
        var window = (await new FakeArchive().Segments(1, 3, 5).Segments(1, 7, 7).Backup("b1", 1, 3, 3, 4).WindowAsync())!;

        var json = JsonSerializer.Serialize(RecoverableWindowSummary.Of(window, 4, 4096), PostgresWindowJson.Default.RecoverableWindowSummary);

        Assert.StartsWith("{\"from\":\"2026-12-03T12:04:00Z\",\"fromBackup\":\"b1\",\"fromStopLsn\":\"0/3000100\",\"to\":\"2026-12-03T12:05:01Z\",\"toTransactionId\":1005,\"lastSegment\":\"000000010000000000000005\",\"timeline\":1,\"archivedSegments\":4,\"archiveStoredBytes\":4096,", json, StringComparison.Ordinal);
        Assert.Contains("\"cuts\":[{\"missing\":\"000000010000000000000006\",\"missingSegments\":1,\"lastCommitBefore\":\"2026-12-03T12:05:01Z\",\"resumesWithBackup\":null,", json, StringComparison.Ordinal);
    }

    [Fact]
    public void The_kind_column_shows_a_base_backups_stop_position_and_timeline()
    {
        var backup = new BackupSummary
        {
            Id = "2026-12-03T120000.000000Z-00000001",
            Source = "postgres",
            Name = "app",
            Kind = "base",
            KindDetail = "stop 0/3000100, timeline 1",
            StartedAt = Noon,
            FinishedAt = Noon.AddSeconds(3),
        };

        using var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output), ColorSystem = Spectre.Console.ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        console.Write(ListCommand.BackupsTable([backup], Noon.AddHours(1)));

        Assert.Contains("base (stop 0/3000100, timeline 1)", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("kindDetail", JsonSerializer.Serialize(backup, CliJson.Default.BackupSummary), StringComparison.OrdinalIgnoreCase);
    }
}
