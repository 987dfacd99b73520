using System.Data;
using Lifeboat.Processes;
using Lifeboat.Repository;
using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>
/// The plan's daily logical backup: pg_dump's custom format, uncompressed by pg_dump (the envelope
/// compresses once, with zstd), read from the same exported snapshot the row counts are taken in.
/// </summary>
public sealed class PostgresDumpBackup(BackupRepository repository, IActivityReporter reporter)
{
    /// <summary>The source type in manifests and keys.</summary>
    public const string SourceType = "postgres";

    /// <summary>The kind of backup.</summary>
    public const string Kind = "dump";

    /// <summary>The name of the archive object inside the backup folder.</summary>
    public const string ArchiveObject = "dump";

    /// <summary>The role recorded for the archive in the manifest.</summary>
    public const string ArchiveRole = "pg_dump-custom";

    private const int CopyBuffer = 1 << 20;

    /// <summary>Dumps the source's database into the repository and commits its manifest.</summary>
    public async Task<BackupManifest> RunAsync(PostgresSource source, CancellationToken cancellationToken)
    {
        RepositoryLayout.ValidateSourceName(source.Name);
        var (opened, pgDump, serverVersion) = await ConnectAsync(source, cancellationToken);
        await using var connection = opened;

        var startedAt = DateTimeOffset.UtcNow;
        var id = BackupId.New(startedAt);
        reporter.Event($"backup {id}: dumping {source.Describe()} (server {serverVersion}, {pgDump.VersionText})");

        await SnapshotCatalog.DisableTimeoutsAsync(connection, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await SnapshotCatalog.ScalarAsync(connection, "SET TRANSACTION READ ONLY", cancellationToken);
        var snapshot = (string)(await SnapshotCatalog.ScalarAsync(connection, "SELECT pg_export_snapshot()", cancellationToken))!;
        var extensions = await SnapshotCatalog.ExtensionsAsync(connection, cancellationToken);
        var (encoding, collate, ctype) = await SnapshotCatalog.DatabaseLocaleAsync(connection, cancellationToken);

        var (estimate, locked) = await SnapshotCatalog.DumpSizeEstimateAsync(connection, transaction, cancellationToken);
        if (locked is not null)
            reporter.Event($"backup {id}: {LockedTablesText(locked)}; the size is estimated from the planner's statistics, and pg_dump waits up to {SnapshotCatalog.LockWait.TotalMinutes:0} min for each lock");

        var folder = RepositoryLayout.BackupFolder(SourceType, source.Name, Kind, id);
        var (archive, counts) = await DumpAsync(source, pgDump, snapshot, folder + ArchiveObject, connection, estimate, cancellationToken);
        await EndSnapshotAsync(transaction);

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
            SizeBytes = archive.SizeBytes,
            StoredBytes = archive.StoredBytes,
            Objects = [archive],
            Details = new PostgresDumpInfo
            {
                Database = source.Database,
                ServerVersion = serverVersion,
                PgDumpVersion = pgDump.VersionText,
                PostgisVersion = extensions.FirstOrDefault(e => e.Name == "postgis")?.Version,
                Encoding = encoding,
                Collate = collate,
                CType = ctype,
                Snapshot = snapshot,
                Extensions = extensions,
                Tables = counts.Tables,
                LargeObjects = counts.LargeObjects,
            }.ToDetails(),
        };
        await repository.CommitManifestAsync(manifest, cancellationToken);
        reporter.Event($"backup {id}: committed, {counts.Tables.Count} tables, {archive.SizeBytes} bytes dumped, {archive.StoredBytes} bytes stored");
        return manifest;
    }

    /// <summary>
    /// What <see cref="RunAsync"/> would dump, worked out by reading the server's catalog only: the same checks
    /// (pg_dump found and new enough, the database reachable), no snapshot, nothing written to the repository.
    /// </summary>
    public static async Task<BackupPlan> PlanAsync(PostgresSource source, CancellationToken cancellationToken)
    {
        var (opened, pgDump, serverVersion) = await ConnectAsync(source, cancellationToken);
        await using var connection = opened;
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await SnapshotCatalog.ScalarAsync(connection, "SET TRANSACTION READ ONLY", cancellationToken);
        var (estimate, locked) = await SnapshotCatalog.DumpSizeEstimateAsync(connection, transaction, cancellationToken);
        return new BackupPlan
        {
            LockedTables = locked,
            Server = source.Describe(),
            Database = source.Database,
            ServerVersion = serverVersion,
            PgDumpVersion = pgDump.VersionText,
            Tables = estimate.Tables,
            Extensions = await SnapshotCatalog.ExtensionsAsync(connection, cancellationToken),
            EstimatedBytes = estimate.Initial,
        };
    }

    /// <summary>"table public.items is locked by another session", or several; a lock gone by the time it was looked for is said so.</summary>
    internal static string LockedTablesText(IReadOnlyList<string> locked) => locked.Count switch
    {
        0 => "a table was locked by another session (the lock was gone when its holder was looked for)",
        1 => $"table {locked[0]} is locked by another session (ACCESS EXCLUSIVE)",
        _ => $"tables {string.Join(", ", locked)} are locked by other sessions (ACCESS EXCLUSIVE)",
    };

    /// <summary>Connects to the source's database with a pg_dump that can dump it; everything that refuses a backup before it starts.</summary>
    private static async Task<(NpgsqlConnection Connection, PgTool PgDump, string ServerVersion)> ConnectAsync(PostgresSource source, CancellationToken cancellationToken)
    {
        RepositoryLayout.ValidateSourceName(source.Name);
        // pg_dump --version runs while the connection opens; a missing pg_dump is still the error reported first.
        var connecting = PostgresConnector.OpenAsync(source, source.Database, cancellationToken);
        PgTool pgDump;
        try
        {
            pgDump = await PgTool.LocateAsync("pg_dump", source.BinDir, cancellationToken);
        }
        catch
        {
            await CloseQuietlyAsync(connecting);
            throw;
        }

        var connection = await connecting;
        try
        {
            var (serverVersion, serverMajor) = await SnapshotCatalog.ServerVersionAsync(connection, cancellationToken);
            if (!pgDump.Serves(serverMajor))
            {
                throw new LifeboatException(
                    $"{pgDump.Path} is version {pgDump.Major}, older than the server at {source.Describe()} ({serverVersion}); pg_dump cannot dump a newer server",
                    $"install postgresql-client-{serverMajor}")
                {
                    Remedy = new(RemedyAction.PointAtClientTools, SourceType),
                };
            }

            return (connection, pgDump, serverVersion);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task CloseQuietlyAsync(Task<NpgsqlConnection> connecting)
    {
        try
        {
            await (await connecting).DisposeAsync();
        }
        catch (Exception e) when (e is LifeboatException or OperationCanceledException)
        {
            // The error being reported is the other one.
        }
    }

    // The transaction only read; once the dump and counts are complete, failing to end it cleanly loses nothing.
    private async Task EndSnapshotAsync(NpgsqlTransaction transaction)
    {
        try
        {
            await transaction.CommitAsync(CancellationToken.None);
        }
        catch (NpgsqlException e)
        {
            reporter.Warning($"the snapshot transaction could not be closed cleanly ({e.Message}); the dump is complete");
        }
    }

    private async Task<(StoredObject Archive, (List<TableRowCount> Tables, long LargeObjects) Counts)> DumpAsync(
        PostgresSource source, PgTool pgDump, string snapshot, string key, NpgsqlConnection connection, DumpSizeEstimate estimate, CancellationToken cancellationToken)
    {
        await using var writer = await repository.CreateObjectAsync(key, ArchiveRole, cancellationToken);
        string[] arguments = ["--format=custom", "--compress=0", $"--snapshot={snapshot}", "--no-password", $"--lock-wait-timeout={(long)SnapshotCatalog.LockWait.TotalMilliseconds}"];
        await using var child = ChildProcess.Start(pgDump.Path, arguments, source.ToolEnvironment(source.Database));

        // The counts run in the exporting transaction while pg_dump streams, so both see the same snapshot.
        using var countsStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var countTask = SnapshotCatalog.CountRowsAsync(connection, countsStop.Token);
        var progress = reporter.StartTransfer($"pg_dump {source.Name}", estimate.Initial, estimated: true);
        try
        {
            // Killing pg_dump ends the blocking read with end of stream; the copy then throws as cancelled.
            using (cancellationToken.Register(child.Kill))
            {
                await PipeReader.CopyAsync(child.StandardOutput, new EstimatingStream(writer.Stream, estimate, progress), CopyBuffer, cancellationToken);
            }

            var exitCode = await child.WaitAsync(cancellationToken);
            if (exitCode != 0)
            {
                throw new LifeboatException(
                    $"pg_dump of {source.Describe()} failed (exit code {exitCode}): {child.LastError()}; no backup was recorded",
                    "fix the cause above and run the backup again");
            }
        }
        catch
        {
            // Never leave a count running on a connection about to close, nor wait for all of them to finish.
            await countsStop.CancelAsync();
            await ((Task)countTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        var counts = await countTask;
        return (await writer.CompleteAsync(cancellationToken), counts);
    }
}
