using StackExchange.Redis;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>Awaits a command sent to the target and words its failure for the operator.</summary>
internal static class Commands
{
    /// <summary>Sends a command (<paramref name="send"/> may throw at once, as for a command the connection does not allow) and awaits its answer.</summary>
    public static async Task<T> RunAsync<T>(RestoreTarget target, Func<Task<T>> send, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await send().WaitAsync(cancellationToken);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Failure(target, what, e);
        }
    }

    /// <summary>True for what StackExchange.Redis throws when the server refuses, the connection fails, or it refuses to send.</summary>
    public static bool IsRedisFailure(Exception e) => e is RedisException or RedisCommandException or TimeoutException;

    public static LifeboatException Failure(RestoreTarget target, string what, Exception e) => e switch
    {
        RedisServerException server when server.Message.StartsWith("NOPERM", StringComparison.Ordinal) || server.Message.StartsWith("NOAUTH", StringComparison.Ordinal) =>
            new LifeboatException($"{target.Name} refused {what}: {server.Message}", "give the restoring user the permission, or use a user that has it", inner: e),
        RedisServerException server when server.Message.StartsWith("OOM", StringComparison.Ordinal) =>
            new LifeboatException($"{target.Name} refused {what}: {server.Message}", "the target reached its maxmemory: raise it, or restore into a server with more memory", inner: e),
        RedisServerException server when RedisReplies.IsLoading(server.Message) =>
            new LifeboatException($"{target.Name} refused {what}: {server.Message}", RedisReplies.LoadingHint, inner: e),
        RedisServerException server =>
            new LifeboatException($"{target.Name} refused {what}: {server.Message}", inner: e),
        RedisCommandException command =>
            new LifeboatException($"the connection to {target.Name} cannot send {what}: {command.Message}", "connect allowing admin commands", inner: e),
        _ => new LifeboatException($"{target.Name} did not answer {what}: {e.Message}", "check that the server runs and is reachable", inner: e),
    };
}
