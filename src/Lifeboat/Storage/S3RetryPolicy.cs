using Polly;
using Polly.Retry;

namespace Lifeboat.Storage;

/// <summary>The one retry layer of S3 calls (the SDK's own is switched off, so attempts and delays are known).</summary>
internal static class S3RetryPolicy
{
    /// <summary>A pipeline retrying transient failures with exponential backoff and jitter, honouring cancellation.</summary>
    public static ResiliencePipeline Create(RetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MaxRetries <= 0)
            return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.FirstDelay,
                MaxDelay = settings.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && S3TransientErrors.IsTransient(e, args.Context.CancellationToken)),
            })
            .Build();
    }
}
