using Lifeboat.Cli.Doctor;

namespace Lifeboat.Tests.Doctor;

/// <summary>A doctor step that hangs becomes its own failed check in bounded time; only the operator's Ctrl-C stops the run.</summary>
public sealed class BoundedStepTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(200);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_step_that_never_answers_even_ignoring_its_token_fails_once_its_limit_is_up()
    {
        var never = new TaskCompletionSource<int>();

        var (value, failure) = await BoundedStep.RunAsync("repository", _ => never.Task, Limit, Ct);

        Assert.Equal(0, value);
        Assert.Equal(new HealthCheck("repository", HealthStatus.Fail, "no answer within 0.2 s") { Hint = "check that it is reachable from here and not overloaded" }, failure);
    }

    [Fact]
    public async Task A_step_that_throws_a_lifeboat_error_fails_with_its_message_and_hint()
    {
        var (_, failure) = await BoundedStep.RunAsync<int>("key", _ => throw new LifeboatException("the key does not open it", "use the right key"), Limit, Ct);

        Assert.Equal(new HealthCheck("key", HealthStatus.Fail, "the key does not open it") { Hint = "use the right key" }, failure);
    }

    [Fact]
    public async Task A_step_that_answers_in_time_gives_its_value()
    {
        var (value, failure) = await BoundedStep.RunAsync("locks", _ => Task.FromResult(42), Limit, Ct);

        Assert.Equal(42, value);
        Assert.Null(failure);
    }

    [Fact]
    public async Task The_callers_own_cancellation_is_not_taken_for_a_failed_check()
    {
        using var signal = new CancellationTokenSource();
        await signal.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BoundedStep.RunAsync("locks", _ => new TaskCompletionSource<int>().Task, Limit, signal.Token));
    }
}
