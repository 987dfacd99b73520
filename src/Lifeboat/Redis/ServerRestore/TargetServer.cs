using StackExchange.Redis;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// What a restore needs to know of its target before it writes: its version, its keys per database, its function
/// libraries; and that it is a server a restore can write into (standalone, a master, Redis 5.0 or newer).
/// </summary>
internal sealed class TargetServer
{
    private const int FirstRdbVersionWithFunctions = 10;

    // Redis 5.0: RESTORE … ABSTTL, IDLETIME and FREQ.
    private const int FirstRdbVersionWithAbsoluteTtl = 9;

    private TargetServer(RestoreTarget target, string redisVersion, int rdbVersion, IReadOnlyDictionary<int, long> keysPerDatabase)
    {
        Target = target;
        RedisVersion = redisVersion;
        RdbVersion = rdbVersion;
        KeysPerDatabase = keysPerDatabase;
    }

    public RestoreTarget Target { get; }

    public string RedisVersion { get; }

    public int RdbVersion { get; }

    /// <summary>The databases that hold keys, with their key counts (INFO keyspace).</summary>
    public IReadOnlyDictionary<int, long> KeysPerDatabase { get; }

    public static async Task<TargetServer> InspectAsync(RestoreTarget target, CancellationToken cancellationToken)
    {
        var server = await InfoAsync(target, "server", cancellationToken);
        var redisVersion = server.Text("redis_version")
            ?? throw new LifeboatException($"{target.Name} did not say its version in INFO server", "check that the address is a Redis server");
        var rdbVersion = RedisRdbVersion.Of(redisVersion)
            ?? throw new LifeboatException($"{target.Name} gives the version '{redisVersion}', which is not a Redis version this restore knows");
        if (server.Text("redis_mode") == "cluster")
            throw new LifeboatException($"{target.Name} is a Redis Cluster node; restoring into a cluster is not supported", "restore into a standalone Redis", FailureKind.Usage);
        RefuseTooOld(target.Name, redisVersion, rdbVersion);
        RefuseReplica(target.Name, await InfoAsync(target, "replication", cancellationToken));
        return new TargetServer(target, redisVersion, rdbVersion, await KeyspaceAsync(target, cancellationToken));
    }

    /// <summary>
    /// Refuses a Redis older than 5.0 (RDB 9), named <paramref name="targetName"/>: its RESTORE takes no ABSTTL, so every
    /// expiry time would be read as a time to live from now, nor the IDLETIME and FREQ that keep a cache's eviction state.
    /// </summary>
    internal static void RefuseTooOld(string targetName, string redisVersion, int rdbVersion)
    {
        if (rdbVersion >= FirstRdbVersionWithAbsoluteTtl)
            return;
        throw new LifeboatException(
            $"{targetName} runs Redis {redisVersion} (RDB {rdbVersion}), older than 5.0: its RESTORE takes no ABSTTL, IDLETIME or FREQ, which the restore sends",
            "nothing was written; restore into Redis 5.0 or newer",
            FailureKind.Usage);
    }

    // A replica takes no writes of its own (READONLY), or, with replica-read-only no, drops them at its next full
    // sync with the master: either way the master is the server to restore into.
    private static void RefuseReplica(string targetName, RedisInfo replication)
    {
        if (replication.Role != "slave")
            return;
        var master = $"{replication.Text("master_host") ?? "?"}:{replication.Text("master_port") ?? "?"}";
        throw new LifeboatException(
            $"{targetName} is a replica of {master}; a restore writes into a master",
            $"nothing was written; restore into the master, {master}, or make this server a master first (REPLICAOF NO ONE)",
            FailureKind.Usage);
    }

    /// <summary>The databases that hold keys now, with their key counts (INFO keyspace, which needs no SELECT).</summary>
    public Task<Dictionary<int, long>> KeysPerDatabaseNowAsync(CancellationToken cancellationToken) => KeyspaceAsync(Target, cancellationToken);

    /// <summary>The names of the function libraries the target has; empty on a Redis without functions.</summary>
    public async Task<IReadOnlySet<string>> FunctionLibrariesAsync(CancellationToken cancellationToken)
    {
        if (RdbVersion < FirstRdbVersionWithFunctions)
            return new HashSet<string>();
        var libraries = await Commands.RunAsync(Target, () => Target.Connection.GetDatabase().ExecuteAsync("FUNCTION", ["LIST"], CommandFlags.None), "FUNCTION LIST", cancellationToken);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var library in (RedisResult[])libraries!)
        {
            var fields = (RedisResult[])library!;
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                if ((string?)fields[i] == "library_name")
                    names.Add((string)fields[i + 1]!);
            }
        }

        return names;
    }

    /// <summary>One section of the target's INFO ("memory", "stats").</summary>
    public Task<RedisInfo> InfoAsync(string section, CancellationToken cancellationToken) => InfoAsync(Target, section, cancellationToken);

    private static async Task<RedisInfo> InfoAsync(RestoreTarget target, string section, CancellationToken cancellationToken) =>
        RedisInfo.Parse((string?)await Commands.RunAsync(target, () => target.Connection.GetDatabase().ExecuteAsync("INFO", [section], CommandFlags.None), $"INFO {section}", cancellationToken) ?? "");

    /// <summary>"db3:keys=12,expires=1,avg_ttl=0" per database that holds keys.</summary>
    private static async Task<Dictionary<int, long>> KeyspaceAsync(RestoreTarget target, CancellationToken cancellationToken) =>
        (await InfoAsync(target, "keyspace", cancellationToken)).Keyspace().Where(d => d.Keys > 0).ToDictionary(d => d.Database, d => d.Keys);
}
