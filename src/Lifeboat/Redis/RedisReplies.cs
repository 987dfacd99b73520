namespace Lifeboat.Redis;

/// <summary>What Redis's error replies mean for the operator, shared by the backup's connection and the restore's.</summary>
internal static class RedisReplies
{
    /// <summary>The hint for "-LOADING": the server is still reading its RDB or AOF after a start and refuses most commands until then.</summary>
    public const string LoadingHint = "the server is loading its data; retry in a moment";

    /// <summary>True for the reply a server gives while it loads its data.</summary>
    public static bool IsLoading(string reply) => reply.TrimStart('-').StartsWith("LOADING", StringComparison.Ordinal);
}
