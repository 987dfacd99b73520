namespace Lifeboat.Storage;

/// <summary>How often and how patiently a transient failure is retried: exponential backoff with jitter.</summary>
/// <param name="MaxRetries">Retries after the first attempt; 0 disables retrying.</param>
/// <param name="FirstDelay">The median delay before the first retry; each later one doubles it.</param>
/// <param name="MaxDelay">The cap on any one delay.</param>
public sealed record RetrySettings(int MaxRetries, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    /// <summary>
    /// Six retries from 250 ms, capped at 10 s: about 15 s of patience, enough to ride out an S3 server
    /// restart or a burst of throttling, short enough that a dead endpoint is reported promptly.
    /// </summary>
    public static RetrySettings Default { get; } = new(6, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
}
