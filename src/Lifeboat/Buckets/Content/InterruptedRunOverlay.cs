using System.Text;
using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// What runs killed before their manifest learned: their journals, merged into one local file sorted by key, for
/// the listing merge to reuse records of unchanged objects without reading them again. Their contents are in the
/// catalog already (catalog segments are written before the journal that relies on them). The caller must be the
/// only live backup of the source, so no journal found here belongs to a run still going.
/// </summary>
public sealed class InterruptedRunOverlay : IDisposable
{
    private readonly string _directory;
    private readonly string _sortedFile;
    private readonly IReadOnlyList<string> _journalFolders;
    private readonly IObjectStore _store;

    private InterruptedRunOverlay(IObjectStore store, string directory, string sortedFile, IReadOnlyList<BackupId> runs, IReadOnlyList<string> journalFolders, long records)
    {
        _store = store;
        _directory = directory;
        _sortedFile = sortedFile;
        Runs = runs;
        _journalFolders = journalFolders;
        Records = records;
    }

    /// <summary>The interrupted runs whose journals are in the overlay, oldest first.</summary>
    public IReadOnlyList<BackupId> Runs { get; }

    /// <summary>How many records the overlay holds.</summary>
    public long Records { get; }

    /// <summary>
    /// Finds the journals under <paramref name="layout"/> of runs other than <paramref name="currentRun"/> that have
    /// no manifest, and sorts their records in <paramref name="spillDirectory"/>. A journal object that cannot be read
    /// goes to <paramref name="onDamaged"/> and is left out: it only costs the next run some reads.
    /// </summary>
    public static async Task<InterruptedRunOverlay> FindAsync(
        BackupRepository repository, BucketContentLayout layout, BackupId currentRun, string spillDirectory,
        Action<string, LifeboatException>? onDamaged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(layout);
        var directory = Path.Combine(spillDirectory, "overlay-" + currentRun.Suffix);
        PrivateFiles.CreateDirectory(directory);
        var journals = await JournalsByRunAsync(repository.Store, layout, currentRun, cancellationToken);
        var runs = new List<BackupId>();
        var folders = new List<string>();
        var files = new List<string>();
        long records = 0;
        foreach (var (run, keys) in journals)
        {
            folders.Add(layout.JournalFolder(run));
            // A run that committed its manifest but died before deleting its journal: the snapshot has it all.
            if (await repository.Store.StatAsync(layout.ManifestKey(run), cancellationToken) is not null)
                continue;
            runs.Add(run);
            foreach (var key in keys)
            {
                var file = Path.Combine(directory, $"journal-{files.Count:000000}.jsonl");
                if (await DownloadAsync(repository, key, file, onDamaged, cancellationToken) is { } count)
                {
                    files.Add(file);
                    records += count;
                }
            }
        }

        var sorted = await SortedLineFiles.MergeAsync(files, directory, cancellationToken);
        return new InterruptedRunOverlay(repository.Store, directory, sorted, runs, folders, records);
    }

    /// <summary>The records in key order (UTF-8 bytes); one key's records in the order their runs wrote them.</summary>
    public async IAsyncEnumerable<JournalEntry> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in SortedLineFiles.ReadLinesAsync(_sortedFile, cancellationToken))
            yield return new JournalEntry(SortedLineFiles.KeyOf(line), Encoding.UTF8.GetBytes(line));
    }

    /// <summary>
    /// Deletes the journals this overlay was made from, and those of committed runs that had not deleted theirs.
    /// Only once the new manifest is committed: until then these journals are the only record of that work.
    /// </summary>
    public async Task DeleteJournalsAsync(CancellationToken cancellationToken)
    {
        foreach (var folder in _journalFolders)
            await RunJournal.DeleteFolderAsync(_store, folder, cancellationToken);
    }

    /// <summary>Removes the local files.</summary>
    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    private static async Task<List<(BackupId Run, List<string> Keys)>> JournalsByRunAsync(
        IObjectStore store, BucketContentLayout layout, BackupId currentRun, CancellationToken cancellationToken)
    {
        var runs = new List<(BackupId Run, List<string> Keys)>();
        await foreach (var info in store.ListAsync(layout.JournalsPrefix, cancellationToken))
        {
            if (layout.JournalRunOf(info.Key) is not { } run || run == currentRun)
                continue;
            if (runs.Count == 0 || runs[^1].Run != run)
                runs.Add((run, []));
            runs[^1].Keys.Add(info.Key);
        }

        // Run ids sort by time as text too, but an id written to the second sorts by its recorded time only.
        return [.. runs.OrderBy(r => r.Run)];
    }

    /// <summary>Decrypts one journal object into a local file; returns its line count, or null when it was damaged.</summary>
    private static async Task<long?> DownloadAsync(
        BackupRepository repository, string key, string file, Action<string, LifeboatException>? onDamaged, CancellationToken cancellationToken)
    {
        try
        {
            await using var journal = await repository.OpenUnlistedObjectAsync(key, cancellationToken);
            await using (var output = new FileStream(file, PrivateFiles.NewFileOptions(64 << 10)))
                await journal.CopyToAsync(output, cancellationToken);
            return await CountLinesAsync(file, key, cancellationToken);
        }
        catch (LifeboatException e) when (onDamaged is not null && e is EnvelopeCorruptException or ObjectNotFoundException or DamagedRecordException)
        {
            File.Delete(file);
            onDamaged(key, e);
            return null;
        }
    }

    // A line without a key would break the merge later; it is found here, while its journal can still be named.
    private static async Task<long> CountLinesAsync(string file, string key, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var line in SortedLineFiles.ReadLinesAsync(file, cancellationToken))
        {
            try
            {
                SortedLineFiles.KeyOf(line);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new DamagedRecordException($"line {count + 1} of journal '{key}' is not a record ({e.Message})", "the journal was written by a faulty writer", e);
            }

            count++;
        }

        return count;
    }
}
