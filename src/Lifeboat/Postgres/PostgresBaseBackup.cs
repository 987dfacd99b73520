using System.Globalization;
using Lifeboat.Postgres.Replication;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;
using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>
/// A physical base backup, the starting point of point-in-time recovery: every tablespace streamed off a replication
/// connection through the envelope, complete only once every WAL segment from its start to its stop is in the archive.
/// </summary>
public sealed class PostgresBaseBackup(BackupRepository repository, IActivityReporter reporter)
{
    /// <summary>The kind of backup, in manifests and keys.</summary>
    public const string Kind = "base";

    private const string ManifestArchive = "backup_manifest";
    private const int CopyBuffer = 1 << 20;
    private static readonly TimeSpan ArchivePoll = TimeSpan.FromMilliseconds(500);

    /// <summary>Takes the backup and commits its manifest once the WAL it needs is archived, waiting at most <paramref name="archiveTimeout"/>.</summary>
    public async Task<BackupManifest> RunAsync(PostgresSource source, TimeSpan archiveTimeout, CancellationToken cancellationToken)
    {
        RepositoryLayout.ValidateSourceName(source.Name);
        await using var sql = await PostgresConnector.OpenAsync(source, source.Database, cancellationToken);
        var (serverVersion, major) = await SnapshotCatalog.ServerVersionAsync(sql, cancellationToken);
        if (major < 15)
            throw new LifeboatException($"{source.Describe()} runs PostgreSQL {serverVersion}; base backups need 15 or later (the single-stream BASE_BACKUP protocol)", "take logical dumps of this server", FailureKind.Usage);
        await RefuseWithoutArchivingAsync(sql, source, cancellationToken);
        var segmentSize = Convert.ToInt64(await SnapshotCatalog.ScalarAsync(sql, "SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'", cancellationToken), CultureInfo.InvariantCulture);

        await using var replication = await ReplicationConnection.OpenAsync(source, cancellationToken);
        // libpq and Npgsql send it so too: said, not refused, for the server chose the method (prefer and disable only).
        if (replication.SentPasswordInClear)
            reporter.Warning($"{source.Describe()} asked for the password in clear text ('password' in pg_hba.conf) over a connection without TLS, and got it: anyone on the network path can read it; use scram-sha-256 there, and TLS");
        var (systemId, _) = await BaseBackupStream.IdentifySystemAsync(replication, cancellationToken);
        var archive = new WalArchive(repository, source.Name);
        await RefuseOtherClusterAsync(archive, source, systemId, cancellationToken);

        var startedAt = DateTimeOffset.UtcNow;
        var id = BackupId.New(startedAt);
        var label = $"lifeboat {id}";
        reporter.Event($"base backup {id}: streaming {source.Describe()} (server {serverVersion})");
        var stream = await BaseBackupStream.StartAsync(replication, label, cancellationToken);
        var (objects, tablespaces) = await StoreArchivesAsync(stream, RepositoryLayout.BackupFolder(PostgresDumpBackup.SourceType, source.Name, Kind, id), cancellationToken);

        var stop = stream.Stop ?? throw replication.Broken("the backup ended without its stop position");
        var (stopClock, stopSnapshot) = await StopStateAsync(sql, cancellationToken);
        var first = WalFileName.OfPosition(stream.Timeline, stream.Start.Value, segmentSize);
        var last = WalFileName.OfPosition(stream.StopTimeline, stop.Value - 1, segmentSize);
        reporter.Event($"base backup {id}: data stored; waiting for WAL {first.Text} to {last.Text} to be archived");
        await WaitForArchiveAsync(sql, source, first, last, segmentSize, archiveTimeout, cancellationToken);

        var manifest = new BackupManifest
        {
            Id = id.Value,
            Source = PostgresDumpBackup.SourceType,
            Name = source.Name,
            Kind = Kind,
            StartedAt = startedAt,
            FinishedAt = DateTimeOffset.UtcNow,
            Host = Environment.MachineName,
            LifeboatVersion = LifeboatInfo.Version,
            SizeBytes = objects.Sum(o => o.SizeBytes),
            StoredBytes = objects.Sum(o => o.StoredBytes),
            Objects = objects,
            Details = new BaseBackupInfo
            {
                Label = label,
                StartPosition = stream.Start.ToString(),
                StopPosition = stop.ToString(),
                Timeline = stream.Timeline,
                StopTimeline = stream.StopTimeline,
                StopClock = stopClock,
                StopSnapshot = stopSnapshot,
                FirstSegment = first.Text,
                LastSegment = last.Text,
                SystemId = systemId.ToString(CultureInfo.InvariantCulture),
                ServerVersion = serverVersion,
                SegmentSize = segmentSize,
                Tablespaces = tablespaces,
            }.ToDetails(),
        };
        await repository.CommitManifestAsync(manifest, cancellationToken);
        reporter.Event($"base backup {id}: committed, {tablespaces.Count} tablespace(s), {manifest.SizeBytes} bytes, WAL {first.Text} to {last.Text}");
        return manifest;
    }

    private async Task<(List<StoredObject> Objects, List<BaseBackupTablespaceInfo> Tablespaces)> StoreArchivesAsync(
        BaseBackupStream stream, string folder, CancellationToken cancellationToken)
    {
        var objects = new List<StoredObject>();
        var tablespaces = new List<BaseBackupTablespaceInfo>();
        var estimate = stream.Tablespaces.Sum(t => t.EstimatedBytes);
        var progress = reporter.StartTransfer("base backup", estimate > 0 ? estimate : null, estimated: true);
        var buffer = new byte[CopyBuffer];
        long done = 0;
        while (await stream.NextArchiveAsync(cancellationToken) is { } archive)
        {
            // Names come from the server; only what PostgreSQL sends (base.tar, <oid>.tar, the manifest) is accepted as a key.
            if (archive.Name != ManifestArchive && !IsTablespaceArchive(archive.Name))
                throw new LifeboatException($"the server sent an archive named '{archive.Name}', which is no tablespace archive", "the backup was not recorded");
            await using var writer = await repository.CreateObjectAsync(folder + archive.Name, archive.Name == ManifestArchive ? "backup-manifest" : "base-tar", cancellationToken);
            int read;
            while ((read = await archive.Content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await writer.Stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                done += read;
                progress.Report(done);
            }

            var stored = await writer.CompleteAsync(cancellationToken);
            objects.Add(stored);
            // The server's estimate was taken before the copy; what it sent is the truth for the bar's end.
            if (estimate > 0 && done > estimate)
                progress.Reestimate(done);
            if (archive.Name != ManifestArchive)
                tablespaces.Add(new BaseBackupTablespaceInfo(archive.Name, OidOf(archive.Name), archive.TablespaceLocation, stored.SizeBytes));
        }

        return (objects, tablespaces);
    }

    private static bool IsTablespaceArchive(string name) => name == "base.tar" || OidOf(name) is not null;

    private static uint? OidOf(string archiveName) =>
        archiveName.EndsWith(".tar", StringComparison.Ordinal) && uint.TryParse(archiveName[..^4], NumberStyles.None, CultureInfo.InvariantCulture, out var oid) ? oid : null;

    private static async Task RefuseWithoutArchivingAsync(NpgsqlConnection sql, PostgresSource source, CancellationToken cancellationToken)
    {
        var mode = (string?)await SnapshotCatalog.ScalarAsync(sql, "SHOW archive_mode", cancellationToken);
        if (mode is "on" or "always")
            return;
        throw new LifeboatException(
            $"{source.Describe()} has archive_mode = {mode}: a base backup cannot be recovered without the WAL archived after it", kind: FailureKind.Usage)
        {
            Remedy = new(RemedyAction.ArchiveThroughLifeboat),
        };
    }

    private static async Task RefuseOtherClusterAsync(WalArchive archive, PostgresSource source, ulong systemId, CancellationToken cancellationToken)
    {
        if (await archive.IdentityAsync(cancellationToken) is not { } identity || identity.SystemId == systemId)
            return;
        throw new LifeboatException(
            $"{source.Describe()} is the cluster with system identifier {systemId}, but the WAL archive of '{source.Name}' belongs to {identity.SystemId}",
            "a base backup is only useful with its own cluster's WAL: give this cluster a source of its own");
    }

    /// <summary>
    /// Like pgBackRest's archive check: the backup is complete only once the WAL from its start to its stop is archived.
    /// On timeout no manifest is written, and the error says what the server reports of its archiving.
    /// </summary>
    private async Task WaitForArchiveAsync(
        NpgsqlConnection sql, PostgresSource source, WalFileName first, WalFileName last, long segmentSize, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        for (var number = first.Number(segmentSize); number <= last.Number(segmentSize); number++)
        {
            var segment = WalFileName.OfNumber(first.Timeline, number, segmentSize);
            // A standby promoted during the backup continues on the stop timeline: either file serves.
            var next = WalFileName.OfNumber(last.Timeline, number, segmentSize);
            while (await repository.Store.StatAsync(WalArchiveLayout.FileKey(source.Name, segment), cancellationToken) is null
                && (next.Timeline == segment.Timeline || await repository.Store.StatAsync(WalArchiveLayout.FileKey(source.Name, next), cancellationToken) is null))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new LifeboatException(
                        $"WAL segment {segment.Text}, which the base backup needs, did not reach the archive within {timeout.TotalSeconds:0} s; archiving is not working: {await ArchiverStateAsync(sql, cancellationToken)}",
                        "check the server's log; the backup was not recorded")
                    {
                        Remedy = new(RemedyAction.ArchiveThroughLifeboat),
                    };
                }

                await Task.Delay(ArchivePoll, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The server's clock and snapshot right after the backup stopped: restore chooses a backup for a time by the clock
    /// commit times are written with, and for a transaction by whether it had finished by then.
    /// </summary>
    private static async Task<(DateTimeOffset Clock, BaseBackupSnapshot Snapshot)> StopStateAsync(NpgsqlConnection sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT clock_timestamp(), pg_current_snapshot()::text", sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var clock = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc));
        var text = reader.GetString(1);
        return (clock, BaseBackupSnapshot.TryParse(text) ?? throw new LifeboatException($"the server answered pg_current_snapshot() with '{text}', which is no snapshot", "the backup was not recorded"));
    }

    private static async Task<string> ArchiverStateAsync(NpgsqlConnection sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT archived_count, coalesce(last_archived_wal, 'none'), failed_count, coalesce(last_failed_wal, 'none'), coalesce(last_failed_time::text, 'never') FROM pg_stat_archiver",
            sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return $"pg_stat_archiver reports {reader.GetInt64(0)} archived (last {reader.GetString(1)}), {reader.GetInt64(2)} failed (last {reader.GetString(3)} at {reader.GetString(4)})";
    }
}
