using System.Data.Common;

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
    public static Task<(T? Value, HealthCheck? Failure)> RunAsync<T>(string name, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(name, work, Limit, cancellationToken);

    /// <summary>As <see cref="RunAsync{T}(string, Func{CancellationToken, Task{T}}, CancellationToken)"/>, with the limit given (tests).</summary>
    internal static async Task<(T? Value, HealthCheck? Failure)> RunAsync<T>(string name, Func<CancellationToken, Task<T>> work, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        step.CancelAfter(limit);
        try
        {
            // WaitAsync as well as the token: a call blocked where no token reaches (a hung file system) is left behind.
            return (await work(step.Token).WaitAsync(limit, cancellationToken), null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return (default, Failure(name, e, limit));
        }
    }

    /// <summary>The failed check for what a step threw, <paramref name="limit"/> being its time limit.</summary>
    private static HealthCheck Failure(string name, Exception error, TimeSpan limit) => error switch
    {
        LifeboatException e => HealthCheck.Failed(name, e),
        TimeoutException or OperationCanceledException => new HealthCheck(name, HealthStatus.Fail, $"no answer within {limit.TotalSeconds:0.#} s")
        {
            Hint = "check that it is reachable from here and not overloaded",
        },
        IOException or UnauthorizedAccessException => new HealthCheck(name, HealthStatus.Fail, error.Message) { Hint = "check the path and its permissions" },
        // A source's own steps word their servers' errors; one they did not foresee is still the server's answer, not a bug.
        DbException => new HealthCheck(name, HealthStatus.Fail, $"the server answered with an error: {error.Message}") { Hint = "see the server's log for why" },
        _ => new HealthCheck(name, HealthStatus.Fail, $"unexpected {error.GetType().Name}: {error.Message}") { Hint = "please report this with the command you ran" },
    };
}
