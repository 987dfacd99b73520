using Lifeboat.Cli.Output;

namespace Lifeboat.Tests.Output;

/// <summary>The per-source lines that end 'list'.</summary>
public sealed class SourceTotalsTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_source_and_name_gets_its_count_oldest_newest_and_stored_total()
    {
        var totals = SourceTotals.Of(
        [
            Backup("postgres", "app", Monday, 100),
            Backup("postgres", "crm", Monday.AddHours(1), 7),
            Backup("postgres", "app", Monday.AddDays(1), 150),
        ]);

        Assert.Equal(
        [
            new SourceTotals("postgres", "app", 2, Monday, Monday.AddDays(1), 250),
            new SourceTotals("postgres", "crm", 1, Monday.AddHours(1), Monday.AddHours(1), 7),
        ],
            totals);
    }

    [Fact]
    public void Oldest_and_newest_follow_the_recorded_start_and_not_the_order_given()
    {
        // Two backups in one second can come in either order by id; their recorded times decide.
        var totals = SourceTotals.Of(
        [
            Backup("postgres", "app", Monday.AddMilliseconds(700), 1),
            Backup("postgres", "app", Monday.AddMilliseconds(200), 1),
        ]);

        var app = Assert.Single(totals);
        Assert.Equal(Monday.AddMilliseconds(200), app.Oldest);
        Assert.Equal(Monday.AddMilliseconds(700), app.Newest);
    }

    [Fact]
    public void No_backups_make_no_lines()
    {
        Assert.Empty(SourceTotals.Of([]));
    }

    private static BackupSummary Backup(string source, string name, DateTimeOffset startedAt, long storedBytes) => new()
    {
        Id = $"{startedAt:yyyy-MM-dd'T'HHmmss'Z'}-00000000",
        Source = source,
        Name = name,
        Kind = "dump",
        StartedAt = startedAt,
        FinishedAt = startedAt.AddSeconds(3),
        StoredBytes = storedBytes,
    };
}
