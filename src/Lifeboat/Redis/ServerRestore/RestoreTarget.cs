using StackExchange.Redis;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>The running Redis a restore writes into: a connection to it, its name for messages ("the Redis at host:6379"), and a way to connect again.</summary>
/// <param name="Connection">
/// A connection to the one server (not a cluster), made with AllowAdmin: StackExchange.Redis counts INFO among admin
/// commands. The server's user needs INFO, EXISTS, RESTORE, FUNCTION LIST and FUNCTION RESTORE (SELECT for other databases).
/// </param>
/// <param name="Name">How messages name it.</param>
/// <param name="ConnectAgain">
/// Opens a second, short-lived connection to the same server, as the same user, on which CONFIG GET may be sent: the
/// restore asks there what must not go through <paramref name="Connection"/> (a SELECT awaited for its answer would
/// leave that connection's own idea of its database wrong).
/// </param>
public sealed record RestoreTarget(IConnectionMultiplexer Connection, string Name, Func<CancellationToken, Task<IConnectionMultiplexer>> ConnectAgain);
