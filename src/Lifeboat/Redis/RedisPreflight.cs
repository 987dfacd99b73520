using Lifeboat.Repository;

namespace Lifeboat.Redis;

/// <summary>
/// What a snapshot of one configured Redis needs, looked at without taking one: the server answers these credentials,
/// the user may run INFO and REPLCONF (SYNC itself is only tried by a backup: trying it would take one), the server's
/// last background save succeeded (a failed fork fails a snapshot too), and the newest backup reads.
/// </summary>
public sealed class RedisPreflight
{
    // Each reply is small; a server that takes longer is as good as unreachable for a preflight.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    private readonly RedisSource _source;
    private readonly BackupRepository? _repository;
    private readonly LifeboatException? _unusable;
    private readonly string _prefix;
    private RedisInfo? _info;

    /// <summary>The preflight of <paramref name="source"/>; <paramref name="unusable"/> says why it cannot be connected to at all (its password is not set).</summary>
    public RedisPreflight(RedisSource source, BackupRepository? repository, LifeboatException? unusable = null)
    {
        _source = source;
        _repository = repository;
        _unusable = unusable;
        _prefix = $"{RedisBackup.SourceType}/{source.Name}";
    }

    /// <summary>The steps, in the order they must run: later ones use what earlier ones found.</summary>
    public IReadOnlyList<PreflightStep> Steps =>
    [
        new($"{_prefix} connection", ConnectionAsync),
        new($"{_prefix} last save", _ => Task.FromResult(LastSave())),
        new($"{_prefix} newest backup", NewestBackupAsync),
    ];

    private async Task<HealthCheck> ConnectionAsync(CancellationToken cancellationToken)
    {
        var name = $"{_prefix} connection";
        if (_unusable is not null)
            return HealthCheck.Failed(name, _unusable);
        try
        {
            _info = await RedisReplicationStream.ProbeAsync(_source, ProbeTimeout, cancellationToken);
            var keys = _info.Keyspace().Sum(d => d.Keys);
            var memory = _info.UsedMemory is { } used ? $", {ByteCount.Format(used)} used" : "";
            return HealthCheck.Ok(
                name,
                $"connected to {_source.Endpoint}{(_source.User is null ? "" : $" as '{_source.User}'")}{(_source.Tls ? " over TLS" : "")}, Redis {_info.Version}, role {_info.Role}, {keys} keys{memory}; INFO and REPLCONF allowed (SYNC is tried by a backup only: trying it would take one)");
        }
        catch (LifeboatException e)
        {
            return HealthCheck.Failed(name, e);
        }
    }

    private HealthCheck LastSave()
    {
        var name = $"{_prefix} last save";
        if (_info is null)
            return HealthCheck.Skip(name, "the server did not answer");
        var status = _info.Text("rdb_last_bgsave_status");
        if (status is null or "ok")
            return HealthCheck.Ok(name, status is null ? "INFO does not say how the last background save went" : "the last background save succeeded");
        return new HealthCheck(name, HealthStatus.Fail, $"the last background save of {_source.Describe()} failed (rdb_last_bgsave_status:{status}); a snapshot forks the same way")
        {
            Hint = "look in the server's log for why the fork or the write failed (memory, overcommit, disk space)",
        };
    }

    private async Task<HealthCheck> NewestBackupAsync(CancellationToken cancellationToken)
    {
        var name = $"{_prefix} newest backup";
        if (_repository is null)
            return HealthCheck.Skip(name, "the repository did not open");
        var (check, _) = await NewestBackupCheck.RunAsync(name, _repository, RedisBackup.SourceType, _source.Name, cancellationToken, RedisBackup.Kind);
        return check;
    }
}
