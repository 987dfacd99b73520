namespace Lifeboat.Cli.Doctor;

/// <summary>
/// Runs one preflight step within a time limit: a server that does not answer, or a file system that hangs in a call
/// no token can cancel, becomes that step's failure instead of holding up every check after it.
/// </summary>
internal static class BoundedStep
{
    /// <summary>The longest any one step may take; a connection attempt gives up after 10 s on its own.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs <paramref name="work"/>, cancelling it at <see cref="Limit"/>; returns its result, or the failed check named
    /// <paramref name="name"/>. Only the caller's own cancellation (a signal) escapes.
    /// </summary>
    public static async Task<(T? Value, HealthCheck? Failure)> RunAsync<T>(string name, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        step.CancelAfter(Limit);
        try
        {
            return (await work(step.Token).WaitAsync(Limit, cancellationToken), null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return (default, Failure(name, e));
        }
    }

    /// <summary>The failed check for what a step threw.</summary>
    public static HealthCheck Failure(string name, Exception error) => error switch
    {
        LifeboatException e => HealthCheck.Failed(name, e),
        TimeoutException or OperationCanceledException => new HealthCheck(name, HealthStatus.Fail, $"no answer within {Limit.TotalSeconds:0} s")
        {
            Hint = "check that it is reachable from here and not overloaded",
        },
        IOException or UnauthorizedAccessException => new HealthCheck(name, HealthStatus.Fail, error.Message) { Hint = "check the path and its permissions" },
        _ => new HealthCheck(name, HealthStatus.Fail, $"unexpected {error.GetType().Name}: {error.Message}") { Hint = "please report this with the command you ran" },
    };
}
