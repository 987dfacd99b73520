using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

public class S3RetryPolicyTests
{
    private static readonly RetrySettings Fast = new(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));

    [Fact]
    public async Task Transient_failures_are_retried_the_configured_number_of_times()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<HttpRequestException>(async () =>
            await S3RetryPolicy.Create(Fast).ExecuteAsync(_ =>
            {
                attempts++;
                throw new HttpRequestException("refused");
            }, TestContext.Current.CancellationToken));

        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task A_call_that_recovers_returns_its_result()
    {
        var attempts = 0;

        var result = await S3RetryPolicy.Create(Fast).ExecuteAsync(
            _ => ++attempts < 3 ? throw new IOException("reset") : ValueTask.FromResult(attempts),
            TestContext.Current.CancellationToken);

        Assert.Equal(3, result);
    }

    [Fact]
    public async Task Permanent_failures_are_not_retried()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await S3RetryPolicy.Create(Fast).ExecuteAsync(_ =>
            {
                attempts++;
                throw new ArgumentException("bad");
            }, TestContext.Current.CancellationToken));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Cancellation_stops_the_waiting_between_attempts()
    {
        var patient = new RetrySettings(5, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await S3RetryPolicy.Create(patient).ExecuteAsync(_ => throw new IOException("reset"), cancel.Token));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Zero_retries_means_one_attempt()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<IOException>(async () =>
            await S3RetryPolicy.Create(Fast with { MaxRetries = 0 }).ExecuteAsync(_ =>
            {
                attempts++;
                throw new IOException("reset");
            }, TestContext.Current.CancellationToken));

        Assert.Equal(1, attempts);
    }
}
