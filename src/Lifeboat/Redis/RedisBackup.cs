using System.Globalization;
using Lifeboat.Format;
using Lifeboat.IO;
using Lifeboat.Repository;

namespace Lifeboat.Redis;

/// <summary>
/// The plan's 15-minute Redis snapshot, taken over the network as a replica takes it: the RDB streams from the
/// replication connection through the envelope, checked as it passes (header, end marker, CRC64); only an RDB that
/// checks out gets a manifest.
/// </summary>
public sealed class RedisBackup(BackupRepository repository, IActivityReporter reporter)
{
    /// <summary>The source type in manifests and keys.</summary>
    public const string SourceType = "redis";

    /// <summary>The kind of backup.</summary>
    public const string Kind = "rdb";

    /// <summary>The name of the RDB object inside the backup folder.</summary>
    public const string RdbObject = "rdb";

    /// <summary>The role recorded for the RDB in the manifest.</summary>
    public const string RdbRole = "redis-rdb";

    private const int CopyBuffer = 1 << 20;

    // The socket is read this far ahead of the repository, so a slow upload seldom makes the server wait on a full socket.
    private const int ReadAheadBuffers = 32;

    // How long a silent server is waited for; it sends a newline every second while it forks.
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The fast zstd level an RDB is stored at, at most.</summary>
    internal const int SnapshotCompressionLevel = -2;

    /// <summary>
    /// The RDB is stored at zstd level -2 at most: Redis has already compressed its strings with LZF, and every CPU second
    /// spent on it competes with the server's fork on the same cores while the snapshot streams. A 592 MB RDB
    /// (bench/lib/redis-dataset.py 800 + DEBUG POPULATE 1000000) through the whole envelope (SHA-256, zstd with 2
    /// workers, AES-GCM; 0.58 CPU s of it without compression), CPU s and stored MB: level 1 1.80-1.93 s, 464 MB (level 3,
    /// the repository default, stored 442 MB for half as much compression CPU again); -1 1.33-1.39 s, 469 MB; -2
    /// 1.25-1.26 s, 472 MB; -3 the same CPU, 477 MB; -5 1.19 s, 488 MB: -2 is where more speed stops paying for its bytes.
    /// A repository configured without compression (0), or at a level below -2, keeps its own. Backups stored at level 1
    /// before read as ever: a reader needs no level.
    /// </summary>
    internal static EnvelopeOptions SnapshotEnvelope(EnvelopeOptions repository) =>
        repository.CompressionLevel == 0 ? repository : repository with { CompressionLevel = Math.Min(repository.CompressionLevel, SnapshotCompressionLevel) };

    /// <summary>
    /// True to run the process under SCHED_IDLE while the RDB streams (<see cref="YieldingToServer"/>). It acts on every
    /// thread of the process, so only a process that does nothing else meanwhile asks for it: the command line does.
    /// </summary>
    public bool YieldToServer { get; init; }

    /// <summary>Takes the snapshot into the repository and commits its manifest.</summary>
    public async Task<BackupManifest> RunAsync(RedisSource source, CancellationToken cancellationToken)
    {
        RepositoryLayout.ValidateSourceName(source.Name);
        var startedAt = DateTimeOffset.UtcNow;
        var id = BackupId.New(startedAt);
        await using var replication = await RedisReplicationStream.OpenAsync(source, IdleTimeout, cancellationToken);
        var info = replication.Info;
        var keyspace = info.Keyspace();
        reporter.Event($"backup {id}: receiving the RDB of {source.Describe()} (Redis {info.Version}, {keyspace.Sum(d => d.Keys)} keys, role {info.Role}, {(replication.AnnouncedLength is { } length ? $"{length} bytes written to disk first" : "diskless")})");
        var folder = RepositoryLayout.BackupFolder(SourceType, source.Name, Kind, id);
        var (stored, check, counted) = await StoreAsync(replication, source, folder + RdbObject, cancellationToken);

        var manifest = new BackupManifest
        {
            Id = id.Value,
            Source = SourceType,
            Name = source.Name,
            Kind = Kind,
            StartedAt = startedAt,
            FinishedAt = DateTimeOffset.UtcNow,
            Host = Environment.MachineName,
            LifeboatVersion = LifeboatInfo.Version,
            SizeBytes = stored.SizeBytes,
            StoredBytes = stored.StoredBytes,
            Objects = [stored],
            Details = new RedisSnapshotInfo
            {
                RedisVersion = info.Version,
                RdbVersion = check.Version ?? 0,
                RdbBytes = check.BytesRead,
                Crc64 = check.Checksum?.ToString("x16", CultureInfo.InvariantCulture),
                Transfer = replication.AnnouncedLength is null ? "diskless" : "disk",
                Keyspace = keyspace,
                RdbKeyspace = counted,
                UsedMemory = info.UsedMemory,
                AofEnabled = info.AofEnabled,
                Role = info.Role,
            }.ToDetails(),
        };
        await repository.CommitManifestAsync(manifest, cancellationToken);
        reporter.Event($"backup {id}: committed, RDB version {check.Version}, {check.BytesRead} bytes, CRC64 {(check.Checksum is null ? "off" : "verified")}");
        return manifest;
    }

    // The RDB reader drives the copy: each read it makes passes through the check into the repository, so the keys
    // are counted on the way without a second pass. While the RDB streams the process may yield the CPU to the server
    // (YieldToServer), until the socket shows we fall behind.
    private async Task<(StoredObject Stored, RdbCheckingStream Check, IReadOnlyList<RedisKeyspace>? Counted)> StoreAsync(
        RedisReplicationStream replication, RedisSource source, string key, CancellationToken cancellationToken)
    {
        await using var drained = new ReadAheadStream(replication, CopyBuffer, ReadAheadBuffers);
        var what = $"the RDB sent by {source.Describe()}";
        var check = new RdbCheckingStream(drained, what, "take the backup again; if it recurs, look in the server's log");
        await using var writer = await repository.CreateObjectAsync(key, RdbRole, SnapshotEnvelope(repository.Envelope), cancellationToken);
        var progress = reporter.StartTransfer($"rdb {source.Name}", replication.AnnouncedLength);
        var tee = new TeeReadStream(check, writer.Stream, () => progress.Report(check.BytesRead));
        IReadOnlyList<RedisKeyspace>? counted;
        using (!YieldToServer ? null : YieldingToServer.TryStart(
            new ReplicationStall(replication).Look,
            () => reporter.Event($"rdb {source.Name}: the server's bytes waited unread in the socket (no CPU for lifeboat, or its repository held it up); lifeboat stops yielding the CPU to it"),
            cancellationToken))
        {
            counted = await RdbKeyCount.CountAsync(tee, check, what, reporter, cancellationToken);
        }

        return (await writer.CompleteAsync(cancellationToken), check, counted);
    }
}
