using System.Diagnostics;
using Lifeboat.Processes;
using Lifeboat.Repository;
using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>
/// The plan's §4.1 as one operation. It restores into a fresh staging database, verifies it against the
/// manifest, and only then replaces the target, so a damaged backup never costs the live database.
/// </summary>
public sealed class PostgresDumpRestore(BackupRepository repository, IActivityReporter reporter)
{
    private const int CopyBuffer = 1 << 20;

    /// <summary>Restores <paramref name="manifest"/> to the source's server.</summary>
    public async Task<RestoreResult> RunAsync(PostgresSource source, BackupManifest manifest, RestoreOptions options, CancellationToken cancellationToken)
    {
        var info = PostgresDumpInfo.Of(manifest);
        var archive = ArchiveOf(manifest);
        var target = options.TargetDatabase ?? info.Database;
        DatabaseAdmin.ValidateTarget(target);
        var clock = Stopwatch.StartNew();
        // One choice of spool directory, so the one checked up front is the one used.
        options = WithSpoolDirectory(options, archive);
        // Running pg_restore --version and the server's checks side by side saves a process start on the way in.
        var locating = PgTool.LocateAsync("pg_restore", source.BinDir, cancellationToken);
        bool targetExists;
        try
        {
            targetExists = await PreflightAsync(source, info, archive, target, options, cancellationToken);
        }
        finally
        {
            await ((Task)locating).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var pgRestore = await locating;

        var staging = DatabaseAdmin.DerivedName(target, "lbrestore");
        reporter.Event($"restore {manifest.Id}: restoring into staging database '{staging}' (pg_restore, {(options.Jobs > 1 ? $"{options.Jobs} jobs" : "streamed")})");
        var result = await RestoreIntoStagingAsync(source, manifest, info, archive, staging, target, pgRestore, options, cancellationToken);

        reporter.Event(targetExists
            ? $"restore {manifest.Id}: verified; replacing database '{target}' (--force)"
            : $"restore {manifest.Id}: verified; renaming staging database to '{target}'");
        await new DatabaseSwap(source, reporter).RunAsync(staging, target, targetExists);
        reporter.Event($"restore {manifest.Id}: database '{target}' is in place");
        await RunPostRestoreAsync(source, target, cancellationToken);
        return result with { Duration = clock.Elapsed };
    }

    /// <summary>
    /// What <see cref="RunAsync"/> would do with the same arguments, worked out by reading only: the manifest, the
    /// server's catalog, pg_restore's version. Nothing is created and no data object is read. A restore that
    /// would be refused has its <see cref="RestorePlan.Refusal"/>; one that could not be worked out throws as
    /// the restore would.
    /// </summary>
    public static async Task<RestorePlan> PlanAsync(PostgresSource source, BackupManifest manifest, RestoreOptions options, CancellationToken cancellationToken)
    {
        var info = PostgresDumpInfo.Of(manifest);
        var archive = ArchiveOf(manifest);
        var target = options.TargetDatabase ?? info.Database;
        DatabaseAdmin.ValidateTarget(target);
        options = WithSpoolDirectory(options, archive);
        await using var admin = await PostgresConnector.OpenAsync(source, DatabaseAdmin.MaintenanceDatabase, cancellationToken);
        var existing = await DatabaseAdmin.DescribeAsync(admin, source, target, cancellationToken);
        var refusal = await RefusalAsync(admin, source, info, archive, target, existing is not null, options, cancellationToken);
        PgTool? pgRestore = null;
        try
        {
            pgRestore = await PgTool.LocateAsync("pg_restore", source.BinDir, cancellationToken);
        }
        catch (LifeboatException) when (refusal is not null)
        {
            // The restore says why it refuses before a missing pg_restore; the plan says the same.
        }

        return new RestorePlan
        {
            Backup = manifest,
            Info = info,
            Server = $"{source.Host}:{source.Port}",
            TargetDatabase = target,
            Existing = existing,
            SpoolDirectory = options.SpoolDirectory,
            PgRestoreVersion = pgRestore?.VersionText,
            Refusal = refusal,
        };
    }

    private static StoredObject ArchiveOf(BackupManifest manifest) =>
        manifest.Objects.FirstOrDefault(o => o.Role == PostgresDumpBackup.ArchiveRole)
            ?? throw new LifeboatException($"the manifest of backup {manifest.Id} names no pg_dump archive") { Remedy = new(RemedyAction.CheckRepository) };

    // A streamed restore spools nothing; a parallel one spools where it was told, else where the archive fits best.
    private static RestoreOptions WithSpoolDirectory(RestoreOptions options, StoredObject archive) =>
        options with { SpoolDirectory = options.Jobs > 1 ? options.SpoolDirectory ?? SpoolPlace.Choose(archive.SizeBytes) : null };

    /// <summary>Everything that can refuse the restore is checked before anything is created.</summary>
    private static async Task<bool> PreflightAsync(
        PostgresSource source, PostgresDumpInfo info, StoredObject archive, string target, RestoreOptions options, CancellationToken cancellationToken)
    {
        await using var admin = await PostgresConnector.OpenAsync(source, DatabaseAdmin.MaintenanceDatabase, cancellationToken);
        var targetExists = await DatabaseAdmin.ExistsAsync(admin, target, cancellationToken);
        if (await RefusalAsync(admin, source, info, archive, target, targetExists, options, cancellationToken) is { } refusal)
            throw refusal;
        return targetExists;
    }

    /// <summary>
    /// The first reason the restore would stop part-way, in the order it would meet them, or null: the restore refuses
    /// with it before creating anything, and a dry run shows it. The target, what the user may do on the server (create
    /// the staging database; replace the target, which only its owner may), the extensions, the spool directory.
    /// </summary>
    private static async Task<LifeboatException?> RefusalAsync(
        NpgsqlConnection admin, PostgresSource source, PostgresDumpInfo info, StoredObject archive, string target, bool targetExists, RestoreOptions options, CancellationToken cancellationToken)
    {
        if (targetExists && !options.Force)
            return TargetExists(source, target);
        var rights = await RestoreRights.ReadAsync(admin, target, commandTimeoutSeconds: null, cancellationToken);
        if (rights.Refusal(source.User, target, $"{source.Host}:{source.Port}", replaces: targetExists) is { } refused)
            return refused;
        if (await MissingExtensionsAsync(admin, info, source, cancellationToken) is { } missing)
            return missing;
        return options.SpoolDirectory is { } spool ? SpoolDirectoryCheck.Refusal(spool) : null;
    }

    private static LifeboatException TargetExists(PostgresSource source, string target) =>
        new($"database '{target}' already exists on {source.Host}:{source.Port}; it was left untouched")
        {
            Remedy = new(RemedyAction.RestoreElsewhereOrReplace),
        };

    private async Task<RestoreResult> RestoreIntoStagingAsync(
        PostgresSource source, BackupManifest manifest, PostgresDumpInfo info, StoredObject archive, string staging, string target, PgTool pgRestore, RestoreOptions options, CancellationToken cancellationToken)
    {
        await using (var admin = await PostgresConnector.OpenAsync(source, DatabaseAdmin.MaintenanceDatabase, cancellationToken))
            await DatabaseAdmin.CreateAsync(admin, staging, info, cancellationToken);
        // CREATE EXTENSION postgis takes a second or so of the server's time; a spool need not wait for it.
        var extensions = CreateExtensionsAsync(source, staging, info, cancellationToken);
        try
        {
            var counted = await RunPgRestoreAsync(source, pgRestore, archive, staging, options, extensions, info, cancellationToken);
            var tableCount = info.Tables.Count;
            reporter.Event(counted is { Count: > 0 }
                ? $"restore {manifest.Id}: {counted.Count} of {tableCount} tables counted while pg_restore built indexes; checking all counts against the manifest"
                : $"restore {manifest.Id}: counting rows of {tableCount} tables against the manifest");
            var result = await VerifyAsync(source, staging, target, manifest.Id, info, counted, cancellationToken);
            if (!result.Verified)
            {
                throw new LifeboatException(
                    $"restored data of backup {manifest.Id} does not match its manifest ({string.Join(", ", result.Tables.Where(t => !t.Matches).Select(t => $"{t.Schema}.{t.Table}: {t.Actual} rows, expected {t.Expected}"))}); '{target}' was left untouched",
                    "try another backup")
                {
                    Remedy = new(RemedyAction.CheckRepositoryData),
                };
            }

            return result;
        }
        catch
        {
            // Its session must be gone before the staging database is dropped.
            await extensions.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await DropStagingAsync(source, staging);
            throw;
        }
    }

    // A fresh connection: the one that created staging may have been closed by an idle timeout since, and a
    // failing cleanup must not hide why the restore failed.
    private async Task DropStagingAsync(PostgresSource source, string staging)
    {
        try
        {
            await using var admin = await PostgresConnector.OpenAsync(source, DatabaseAdmin.MaintenanceDatabase, CancellationToken.None);
            await DatabaseAdmin.DropAsync(admin, staging, CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or LifeboatException)
        {
            reporter.Warning($"could not drop the staging database '{staging}': {e.Message}; drop it by hand");
        }
    }

    // The extensions the backup needs that the server cannot create: the restore's error, or null.
    private static async Task<LifeboatException?> MissingExtensionsAsync(NpgsqlConnection admin, PostgresDumpInfo info, PostgresSource source, CancellationToken cancellationToken)
    {
        var needed = info.Extensions.Select(e => e.Name).ToArray();
        await using var command = new NpgsqlCommand("SELECT name FROM pg_available_extensions WHERE name = ANY($1)", admin);
        command.Parameters.Add(new NpgsqlParameter { Value = needed });
        var available = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                available.Add(reader.GetString(0));
        }

        var missing = needed.Where(n => !available.Contains(n)).ToList();
        if (missing.Count == 0)
            return null;
        return new LifeboatException(
            $"the server at {source.Host}:{source.Port} lacks extension(s) the backup needs: {string.Join(", ", missing)}; nothing was changed",
            "install them on the target server (PostGIS on Debian: postgresql-15-postgis-3)");
    }

    // Extensions in public are created up front (the plan's step); others come with their schemas from the archive.
    private static async Task CreateExtensionsAsync(PostgresSource source, string database, PostgresDumpInfo info, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresConnector.OpenAsync(source, database, cancellationToken);
        foreach (var extension in info.Extensions.Where(e => e.Schema == "public"))
        {
            var sql = $"CREATE EXTENSION IF NOT EXISTS {SnapshotCatalog.Quote(extension.Name)} WITH SCHEMA public";
            await SnapshotCatalog.ScalarAsync(connection, sql, cancellationToken);
        }
    }

    /// <summary>Runs pg_restore; returns the row counts of tables already counted while it ran (see <see cref="EarlyRowCounts"/>).</summary>
    private async Task<IReadOnlyDictionary<(string Schema, string Table), long>?> RunPgRestoreAsync(
        PostgresSource source, PgTool pgRestore, StoredObject archive, string database, RestoreOptions options, Task extensions,
        PostgresDumpInfo info, CancellationToken cancellationToken)
    {
        List<string> arguments = ["--no-owner", "--no-privileges", "--exit-on-error", "--no-password", $"--dbname={ConnectionStringFor(database)}"];
        if (options.Jobs <= 1)
        {
            await extensions;
            await RestoreFromPipeAsync(source, pgRestore, archive, database, arguments, cancellationToken);
            return null;
        }

        var target = new ParallelRestore.Target(source, pgRestore, database, arguments, PgRestoreEnvironment(source, database));
        return await new ParallelRestore(repository, reporter).RunAsync(target, archive, info, options, extensions, cancellationToken);
    }

    // pg_restore commits every table, index and constraint on its own, and each commit waits for its WAL to
    // reach disk. That buys nothing here: a staging database is dropped if anything fails before it is
    // verified, and the synchronous commit of the rename that puts it in place flushes every commit before it.
    private static Dictionary<string, string?> PgRestoreEnvironment(PostgresSource source, string database)
    {
        var environment = source.ToolEnvironment(database);
        environment["PGOPTIONS"] = "-c synchronous_commit=off";
        return environment;
    }

    // pg_restore takes a --dbname with '=' as a whole connection string; quoting keeps a database name a name.
    private static string ConnectionStringFor(string database) =>
        "dbname='" + database.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private async Task RestoreFromPipeAsync(PostgresSource source, PgTool pgRestore, StoredObject archive, string database, List<string> arguments, CancellationToken cancellationToken)
    {
        await using var child = ChildProcess.Start(pgRestore.Path, arguments, PgRestoreEnvironment(source, database), redirectStdin: true);
        var progress = reporter.StartTransfer($"pg_restore into {database}", archive.SizeBytes);
        try
        {
            await using var input = await repository.OpenObjectAsync(archive, cancellationToken);
            await using (var stdin = new CountingStream(child.StandardInput, progress))
                await input.CopyToAsync(stdin, CopyBuffer, cancellationToken);
            child.StandardInput.Close();
        }
        catch (IOException)
        {
            // When pg_restore stopped reading because it failed, its own message is the useful one.
            if (!await ExitedWithErrorAsync(child))
                throw;
        }

        await WaitForPgRestoreAsync(child, database, cancellationToken);
    }

    private static async Task<bool> ExitedWithErrorAsync(ChildProcess child)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await child.WaitAsync(wait.Token) != 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits for pg_restore; a failure names the database and says the target was left untouched.</summary>
    internal static async Task WaitForPgRestoreAsync(ChildProcess child, string database, CancellationToken cancellationToken)
    {
        var code = await child.WaitAsync(cancellationToken);
        if (code != 0)
            throw new LifeboatException($"pg_restore into '{database}' failed (exit code {code}): {child.LastError()}; the target database was left untouched");
    }

    private static async Task<RestoreResult> VerifyAsync(
        PostgresSource source, string staging, string target, string backupId, PostgresDumpInfo info, IReadOnlyDictionary<(string Schema, string Table), long>? counted, CancellationToken cancellationToken)
    {
        // Two sessions count side by side: the restore's verification is time the target is not yet in place.
        await using var first = await PostgresConnector.OpenAsync(source, staging, cancellationToken);
        await using var second = await PostgresConnector.OpenAsync(source, staging, cancellationToken);
        await SnapshotCatalog.DisableTimeoutsAsync(first, cancellationToken);
        await SnapshotCatalog.DisableTimeoutsAsync(second, cancellationToken);
        var (tables, largeObjects) = await SnapshotCatalog.CountRowsAsync([first, second], counted, cancellationToken);
        var actual = tables.ToDictionary(t => (t.Schema, t.Table), t => t.Rows);
        var checks = info.Tables
            .Select(t => new TableCheck(t.Schema, t.Table, t.Rows, actual.GetValueOrDefault((t.Schema, t.Table), -1)))
            .ToList();
        return new RestoreResult(backupId, target, checks, info.LargeObjects, largeObjects, TimeSpan.Zero);
    }

    private async Task RunPostRestoreAsync(PostgresSource source, string target, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(source.PostRestore))
            return;
        reporter.Event($"running postRestore command for '{target}'");
        await using var child = ChildProcess.Start("/bin/sh", ["-c", source.PostRestore], source.ToolEnvironment(target), redirectStdin: true, scriptName: "postRestore command");
        child.StandardInput.Close();
        using var reader = new StreamReader(child.StandardOutput);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
            reporter.Event($"postRestore: {line}");
        var code = await child.WaitAsync(cancellationToken);
        if (code != 0)
        {
            throw new LifeboatException(
                $"database '{target}' was restored and verified, but the postRestore command failed (exit code {code}): {child.LastError()}",
                "run the post-restore step (e.g. alembic upgrade head) by hand");
        }
    }
}
