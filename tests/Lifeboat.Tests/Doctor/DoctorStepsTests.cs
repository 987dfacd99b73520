using System.Data.Common;
using Lifeboat.Cli.Doctor;

namespace Lifeboat.Tests.Doctor;

/// <summary>A source's preflight steps each run within their own limit and under their own names: one that hangs or throws does not stop the rest.</summary>
public sealed class DoctorStepsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(200);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_step_that_hangs_fails_under_its_own_name_and_the_steps_after_it_still_run()
    {
        PreflightStep[] steps =
        [
            new("postgres/app connection", _ => Task.FromResult(HealthCheck.Ok("postgres/app connection", "connected"))),
            new("postgres/app permissions", _ => new TaskCompletionSource<HealthCheck>().Task),
            new("postgres/app pg_dump", _ => Task.FromResult(HealthCheck.Ok("postgres/app pg_dump", "found"))),
            new("postgres/crm connection", _ => Task.FromResult(HealthCheck.Ok("postgres/crm connection", "connected"))),
        ];

        var checks = await DoctorChecks.RunStepsAsync(steps, Limit, Ct).ToListAsync(Ct);

        Assert.Equal(["postgres/app connection", "postgres/app permissions", "postgres/app pg_dump", "postgres/crm connection"], checks.Select(c => c.Name));
        Assert.Equal([HealthStatus.Ok, HealthStatus.Fail, HealthStatus.Ok, HealthStatus.Ok], checks.Select(c => c.Status));
        Assert.Equal("no answer within 0.2 s", checks[1].Detail);
    }

    [Fact]
    public async Task A_step_whose_server_answers_with_an_error_it_did_not_foresee_fails_with_that_answer_and_not_as_a_bug()
    {
        PreflightStep[] steps =
        [
            new("postgres/app permissions", _ => throw new ServerError("permission denied for view pg_roles")),
            new("postgres/app pg_dump", _ => Task.FromResult(HealthCheck.Ok("postgres/app pg_dump", "found"))),
        ];

        var checks = await DoctorChecks.RunStepsAsync(steps, Limit, Ct).ToListAsync(Ct);

        Assert.Equal(new HealthCheck("postgres/app permissions", HealthStatus.Fail, "the server answered with an error: permission denied for view pg_roles") { Hint = "see the server's log for why" }, checks[0]);
        Assert.Equal(HealthStatus.Ok, checks[1].Status);
    }

    private sealed class ServerError(string message) : DbException(message);
}
