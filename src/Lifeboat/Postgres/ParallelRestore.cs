using Lifeboat.Processes;
using Lifeboat.Repository;
using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>
/// pg_restore --jobs from a repository object. pg_restore needs a file it can open more than once, so the
/// archive is rewritten as a directory-format archive in the spool directory, and pg_restore starts on each
/// table as soon as that table's data is there, while the rest of the archive is still being decrypted.
/// </summary>
/// <remarks>
/// The schema is created first (pg_restore --section=pre-data, from the table of contents alone); then a
/// <see cref="TableDataGate"/> holds back every table still arriving, and one pg_restore --jobs loads the
/// data and builds the indexes. An archive the splitter cannot handle (large objects, pg_dump compression)
/// is spooled whole first, as a custom archive with its data offsets written in.
/// </remarks>
internal sealed class ParallelRestore(BackupRepository repository, IActivityReporter reporter)
{
    private const int CopyBuffer = 1 << 20;

    // A spooled archive is restored in one run of pg_restore, which creates the schema before any item it counts.
    private const string CreatingSchema = "creating the schema";

    /// <summary>What the restore needs to know besides the archive.</summary>
    public sealed record Target(PostgresSource Source, PgTool PgRestore, string Database, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?> Environment);

    /// <summary>Restores <paramref name="archive"/>; returns the row counts of tables counted while pg_restore ran.</summary>
    public async Task<IReadOnlyDictionary<(string Schema, string Table), long>> RunAsync(
        Target target, StoredObject archive, PostgresDumpInfo info, RestoreOptions options, Task extensions, CancellationToken cancellationToken)
    {
        var work = Path.Combine(options.SpoolDirectory ?? SpoolPlace.Choose(archive.SizeBytes), $"lifeboat-restore-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            await using var input = await repository.OpenObjectAsync(archive, cancellationToken);
            var splitter = new CustomArchiveSplitter(input, work, reporter.StartTransfer("decrypting archive", archive.SizeBytes));
            var unsplittable = await splitter.ReadTableOfContentsAsync(cancellationToken);
            if (unsplittable is not null)
                return await RestoreFromSpoolAsync(target, splitter, work, unsplittable, info, options, extensions, cancellationToken);
            return await RestoreWhileArrivingAsync(target, splitter, work, info, options, extensions, cancellationToken);
        }
        finally
        {
            RemoveSpool(work);
        }
    }

    // A spool that cannot be removed must not hide why the restore failed; it is named for the operator.
    private void RemoveSpool(string work)
    {
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reporter.Warning($"could not remove the restore's spool directory {work}: {e.Message}; remove it by hand");
        }
    }

    private async Task<IReadOnlyDictionary<(string Schema, string Table), long>> RestoreWhileArrivingAsync(
        Target target, CustomArchiveSplitter splitter, string work, PostgresDumpInfo info, RestoreOptions options, Task extensions, CancellationToken cancellationToken)
    {
        reporter.Event($"restoring while the archive is decrypted: pg_restore --jobs {options.Jobs} starts on each of {splitter.DataItems.Count} tables once its data is in {work}");
        await splitter.WriteTableOfContentsAsync(cancellationToken);
        await using var arrivals = new Arrivals();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var splitting = Task.Run(
            async () =>
            {
                await splitter.SplitDataAsync(item => arrivals.ArrivedAsync(item, stop.Token), stop.Token);
                reporter.Event("the whole archive is decrypted and its SHA-256 verified; every table's data is in place");
            },
            stop.Token);
        try
        {
            await extensions;
            await RunPreDataAsync(target, work, stop.Token);
            var gated = await arrivals.CloseGateAsync(pending => CloseGateAsync(target, pending, stop.Token), splitter.DataItems);
            if (!gated)
            {
                reporter.Event("could not hold tables back while their data arrives; pg_restore waits for the whole archive");
                await splitting;
            }

            if (splitting.IsFaulted || splitting.IsCanceled)
                await splitting;
            var pending = arrivals.Pending(splitter.DataItems);
            WritePlaceholders(work, pending, info);
            reporter.Event($"schema created; pg_restore --jobs {options.Jobs} loads the tables ({pending.Count} of {splitter.DataItems.Count} still arriving) and builds the indexes");
            var items = new PgRestoreItemProgress(splitter.Entries, reporter, options.Jobs);
            return await RunDataAndIndexesAsync(target, work, options, info, items, splitting, arrivals, stop);
        }
        catch
        {
            await stop.CancelAsync();
            await splitting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
    }

    private static async Task<TableDataGate?> CloseGateAsync(Target target, IReadOnlyList<ArchiveDataItem> pending, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await PostgresConnector.OpenAsync(target.Source, target.Database, cancellationToken);
        }
        catch (LifeboatException)
        {
            return null;
        }

        return await TableDataGate.TryCloseAsync(connection, pending, cancellationToken);
    }

    private async Task RunPreDataAsync(Target target, string work, CancellationToken cancellationToken)
    {
        await using var child = ChildProcess.Start(target.PgRestore.Path, [.. target.Arguments, "--section=pre-data", work], target.Environment);
        await PostgresDumpRestore.WaitForPgRestoreAsync(child, target.Database, cancellationToken);
    }

    // pg_restore orders its work by the size of each table's file, largest first, as it does for a seekable
    // archive; a table still arriving gets a placeholder the size it had when it was dumped. Its real file
    // replaces the placeholder before the gate lets pg_restore read it. A placeholder is never empty, so if
    // it were ever read, COPY would fail on it rather than load nothing.
    private static void WritePlaceholders(string work, IEnumerable<ArchiveDataItem> pending, PostgresDumpInfo info)
    {
        var sizes = info.Tables.ToDictionary(t => (t.Schema, t.Table), t => t.Bytes ?? t.Rows * 100);
        foreach (var item in pending)
        {
            FileStream placeholder;
            try
            {
                placeholder = new FileStream(Path.Combine(work, item.FileName), FileMode.CreateNew, FileAccess.Write);
            }
            catch (IOException) when (File.Exists(Path.Combine(work, item.FileName)))
            {
                // Its data arrived in the meantime.
                continue;
            }

            using (placeholder)
                placeholder.SetLength(Math.Max(1, sizes.GetValueOrDefault((item.Schema, item.Table), 1)));
        }
    }

    private static Task<IReadOnlyDictionary<(string Schema, string Table), long>> RunDataAndIndexesAsync(
        Target target, string work, RestoreOptions options, PostgresDumpInfo info, PgRestoreItemProgress items, Task splitting, Arrivals arrivals, CancellationTokenSource stop)
    {
        List<string> arguments = [.. target.Arguments, "--section=data", "--section=post-data", $"--jobs={options.Jobs}", "--verbose", work];
        return RunCountingAsync(target, arguments, info, items, line => DeleteLoaded(work, line), async child =>
        {
            var restoring = PostgresDumpRestore.WaitForPgRestoreAsync(child, target.Database, stop.Token);

            // A damaged archive fails the splitter while pg_restore may be waiting at the gate for it.
            if (await Task.WhenAny(restoring, splitting) == splitting && !splitting.IsCompletedSuccessfully)
            {
                child.Kill();
                await restoring.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await splitting;
            }

            try
            {
                await restoring;
            }
            catch (LifeboatException e) when (arrivals.HasGate)
            {
                // pg_restore fails on a placeholder only if the gate let go of a table too early: say why.
                if (!await arrivals.GateHeldAsync(stop.Token))
                    throw TableDataGate.Lost(e);
                throw;
            }

            await splitting;
        }, stop.Token);
    }

    /// <summary>
    /// Runs pg_restore --verbose, counting each table as it reports the table loaded (<see cref="EarlyRowCounts"/>)
    /// and its items done as <paramref name="items"/>.
    /// </summary>
    private static async Task<IReadOnlyDictionary<(string Schema, string Table), long>> RunCountingAsync(
        Target target, List<string> arguments, PostgresDumpInfo info, PgRestoreItemProgress items, Action<string>? alsoObserve, Func<ChildProcess, Task> waitForEnd, CancellationToken cancellationToken)
    {
        var early = new EarlyRowCounts(info.Tables);
        await using var child = ChildProcess.Start(target.PgRestore.Path, arguments, target.Environment, stderrLine: line =>
        {
            early.Observe(line);
            items.Observe(line);
            alsoObserve?.Invoke(line);
        });
        using var stopCounting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var counting = early.RunAsync(token => PostgresConnector.OpenAsync(target.Source, target.Database, token), stopCounting.Token);
        try
        {
            await waitForEnd(child);
        }
        catch
        {
            await stopCounting.CancelAsync();
            await ((Task)counting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        items.Complete();
        early.Complete();
        return await counting;
    }

    // A table's file is not read again once pg_restore has loaded it; removing it then keeps most of the spool
    // from ever being written to disk.
    private static void DeleteLoaded(string work, string line)
    {
        if (!PgRestoreFinishedItem.TryParse(line, out var item))
            return;

        // This runs on the thread that drains pg_restore's stderr; it must never stop that thread.
        try
        {
            File.Delete(Path.Combine(work, ArchiveDataItem.FileNameOf(item.DumpId)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file stays until the spool is removed.
        }
    }

    private async Task<IReadOnlyDictionary<(string Schema, string Table), long>> RestoreFromSpoolAsync(
        Target target, CustomArchiveSplitter splitter, string work, string why, PostgresDumpInfo info, RestoreOptions options, Task extensions, CancellationToken cancellationToken)
    {
        var spool = Path.Combine(work, "archive.dump");
        reporter.Event($"spooling the decrypted archive to {spool} before pg_restore --jobs {options.Jobs} starts, because {why}");

        // Both run to their end before either's failure is thrown, so nothing is left running behind it.
        await Task.WhenAll(SpoolAsync(splitter, spool, cancellationToken), extensions);
        List<string> arguments = [.. target.Arguments, $"--jobs={options.Jobs}", "--verbose", spool];
        var items = new PgRestoreItemProgress(splitter.Entries, reporter, options.Jobs, CreatingSchema);
        return await RunCountingAsync(target, arguments, info, items, alsoObserve: null, child => PostgresDumpRestore.WaitForPgRestoreAsync(child, target.Database, cancellationToken), cancellationToken);
    }

    private async Task SpoolAsync(CustomArchiveSplitter splitter, string path, CancellationToken cancellationToken)
    {
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        await using var file = new FileStream(path, fileOptions);
        var scanner = new CustomArchiveScanner();
        await splitter.CopyWholeAsync(new ScanningStream(file, scanner), CopyBuffer, cancellationToken);
        await file.FlushAsync(cancellationToken);

        // pg_dump streamed the archive, so its TOC has no data offsets and every pg_restore worker would scan
        // the file for its blocks; the offsets are written in as pg_dump does for a file. An archive the scan
        // did not understand is left as it is, and pg_restore scans as before.
        reporter.Event(CustomArchiveOffsets.TryWrite(file.SafeFileHandle, scanner)
            ? "wrote the data offsets into the spooled archive's table of contents, so pg_restore workers seek straight to their tables"
            : "the spooled archive's table of contents could not be given data offsets; pg_restore will scan for its tables");
    }

    /// <summary>Which tables' data has arrived, and the gate that holds back the others once it exists.</summary>
    private sealed class Arrivals : IAsyncDisposable
    {
        private readonly SemaphoreSlim _turn = new(1, 1);
        private readonly HashSet<int> _arrived = [];
        private TableDataGate? _gate;

        public IReadOnlyList<ArchiveDataItem> Pending(IReadOnlyList<ArchiveDataItem> items)
        {
            lock (_arrived)
                return items.Where(i => !_arrived.Contains(i.DumpId)).ToList();
        }

        public async Task ArrivedAsync(ArchiveDataItem item, CancellationToken cancellationToken)
        {
            await _turn.WaitAsync(cancellationToken);
            try
            {
                lock (_arrived)
                    _arrived.Add(item.DumpId);
                if (_gate is not null)
                    await _gate.ArrivedAsync(item, cancellationToken);
            }
            finally
            {
                _turn.Release();
            }
        }

        /// <summary>
        /// Closes the gate on the tables whose data has not arrived, while no arrival can slip between the two;
        /// false when <paramref name="close"/> could not.
        /// </summary>
        public async Task<bool> CloseGateAsync(Func<IReadOnlyList<ArchiveDataItem>, Task<TableDataGate?>> close, IReadOnlyList<ArchiveDataItem> items)
        {
            await _turn.WaitAsync();
            try
            {
                _gate = await close(Pending(items));
                return _gate is not null;
            }
            finally
            {
                _turn.Release();
            }
        }

        public bool HasGate => _gate is not null;

        /// <summary>Whether the gate's session still holds its locks (asked between arrivals).</summary>
        public async Task<bool> GateHeldAsync(CancellationToken cancellationToken)
        {
            await _turn.WaitAsync(cancellationToken);
            try
            {
                // Once every table was let through, the gate no longer matters to pg_restore.
                return _gate is null || !_gate.HoldsTables || await _gate.IsHeldAsync(cancellationToken);
            }
            finally
            {
                _turn.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_gate is not null)
                await _gate.DisposeAsync();
            _turn.Dispose();
        }
    }
}
