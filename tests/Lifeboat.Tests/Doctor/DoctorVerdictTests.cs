using Lifeboat.Cli.Doctor;

namespace Lifeboat.Tests.Doctor;

/// <summary>How 'lifeboat doctor' adds its checks up: failures make it unhealthy, warnings and skipped checks do not.</summary>
public sealed class DoctorVerdictTests
{
    [Theory]
    [InlineData(new[] { HealthStatus.Ok, HealthStatus.Ok }, HealthStatus.Ok, 0)]
    [InlineData(new[] { HealthStatus.Ok, HealthStatus.Warn, HealthStatus.Ok }, HealthStatus.Warn, 0)]
    [InlineData(new[] { HealthStatus.Warn, HealthStatus.Fail, HealthStatus.Skipped }, HealthStatus.Fail, 3)]
    [InlineData(new[] { HealthStatus.Ok, HealthStatus.Skipped }, HealthStatus.Ok, 0)]
    public void The_worst_status_decides_and_only_a_failure_exits_3(HealthStatus[] statuses, HealthStatus worst, int exitCode)
    {
        var verdict = new DoctorVerdict();
        foreach (var status in statuses)
            verdict.Add(status);

        Assert.Equal(worst, verdict.Worst);
        Assert.Equal(exitCode, verdict.ExitCode);
    }

    [Fact]
    public void The_summary_counts_each_outcome()
    {
        var verdict = new DoctorVerdict();
        foreach (var status in new[] { HealthStatus.Ok, HealthStatus.Ok, HealthStatus.Warn, HealthStatus.Fail, HealthStatus.Skipped })
            verdict.Add(status);

        Assert.Equal("5 checks: 2 ok, 1 warning(s), 1 failed, 1 skipped", verdict.Summary());
    }

    [Fact]
    public void A_line_words_the_remedy_after_the_core_hint_as_an_error_line_does()
    {
        var check = new HealthCheck("locks", HealthStatus.Warn, "stale shared lock x.") { Hint = "a run ended without releasing it", Remedy = new(RemedyAction.RemoveStaleLocks) };

        Assert.Equal(
            "warn  locks: stale shared lock x. hint: a run ended without releasing it; if that process is really gone, run 'lifeboat unlock' to remove stale locks",
            DoctorLine.Of(check).ToString());
    }

    [Fact]
    public void A_line_without_a_hint_ends_with_its_detail() =>
        Assert.Equal("ok    key: key file /k opens key slot 1", DoctorLine.Of(HealthCheck.Ok("key", "key file /k opens key slot 1")).ToString());
}
