using StackExchange.Redis;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>The running Redis a restore writes into: a connection to it and its name for messages ("the Redis at host:6379").</summary>
/// <param name="Connection">
/// A connection to the one server (not a cluster), made with AllowAdmin: StackExchange.Redis counts INFO among admin
/// commands. The server's user needs INFO, EXISTS, RESTORE, FUNCTION LIST and FUNCTION RESTORE (SELECT for other databases).
/// </param>
/// <param name="Name">How messages name it.</param>
public sealed record RestoreTarget(IConnectionMultiplexer Connection, string Name);
