using Lifeboat.Cli.Output;

namespace Lifeboat.Tests.Output;

/// <summary>The age 'list' and 'show' give a backup: one short unit, rounded down.</summary>
public sealed class AgeTextTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "1m")]
    [InlineData(3599, "59m")]
    [InlineData(3600, "1h")]
    [InlineData(3 * 3600 + 1800, "3h")]
    [InlineData(26 * 3600, "26h")]
    [InlineData(48 * 3600 - 1, "47h")]
    [InlineData(48 * 3600, "2d")]
    [InlineData(400 * 86400, "400d")]
    [InlineData(800 * 86400, "2y")]
    public void An_age_is_given_in_its_largest_whole_unit_with_hours_up_to_two_days(long seconds, string expected)
    {
        Assert.Equal(expected, AgeText.Format(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void A_backup_stamped_after_now_by_a_skewed_clock_is_no_age_rather_than_a_negative_one()
    {
        Assert.Equal("0s", AgeText.Format(TimeSpan.FromMinutes(-5)));
    }

    [Fact]
    public void The_age_between_two_times_counts_from_the_earlier_to_the_later()
    {
        var then = new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

        Assert.Equal("2d", AgeText.Between(then, then.AddDays(2).AddHours(5)));
    }
}
