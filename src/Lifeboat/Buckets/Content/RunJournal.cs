using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// The records of the objects a run has read, saved as <c>journal/&lt;run&gt;/&lt;seq&gt;</c> with each catalog flush so
/// that a run killed before its manifest still leaves what it learned for the next run. Each journal object is sorted
/// by key, so the next run merges them instead of sorting. Adding is safe from many tasks; writing is not.
/// </summary>
public sealed class RunJournal(BackupRepository repository, BucketContentLayout layout, BackupId runId)
{
    private readonly Lock _gate = new();
    private List<JournalEntry> _pending = [];
    private int _next;

    /// <summary>Entries added and not written yet.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
                return _pending.Count;
        }
    }

    /// <summary>How many journal objects this run has written.</summary>
    public int Written => _next;

    /// <summary>Adds one record; it is written by the next <see cref="WriteAsync"/>.</summary>
    public void Add(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
            _pending.Add(entry);
    }

    /// <summary>Takes the entries added so far; only what was taken before a catalog flush may be written after it.</summary>
    public List<JournalEntry> TakePending()
    {
        lock (_gate)
        {
            var taken = _pending;
            _pending = [];
            return taken;
        }
    }

    /// <summary>Writes <paramref name="entries"/>, sorted by key (stable within a key), as the run's next journal object.</summary>
    public async Task WriteAsync(List<JournalEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
            return;
        var sorted = entries.Order(ByKey.Instance).ToList();
        await using var writer = await repository.CreateObjectAsync(layout.JournalKey(runId, _next), "journal", repository.Envelope with { Workers = 0 }, cancellationToken);
        foreach (var entry in sorted)
        {
            await writer.Stream.WriteAsync(entry.Line, cancellationToken);
            await writer.Stream.WriteAsync(NewLine, cancellationToken);
        }

        await writer.CompleteAsync(cancellationToken);
        _next++;
    }

    /// <summary>Deletes this run's journal objects: once the manifest names the snapshot, the journal holds nothing it lacks.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken) =>
        await DeleteFolderAsync(repository.Store, layout.JournalFolder(runId), cancellationToken);

    /// <summary>Deletes every object under <paramref name="folder"/>.</summary>
    internal static async Task DeleteFolderAsync(IObjectStore store, string folder, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var info in store.ListAsync(folder, cancellationToken))
            keys.Add(info.Key);
        foreach (var key in keys)
            await store.DeleteAsync(key, cancellationToken);
    }

    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    /// <summary>Orders entries by key in UTF-8 byte order; LINQ's ordering is stable, so one key's entries keep their order.</summary>
    private sealed class ByKey : IComparer<JournalEntry>
    {
        public static ByKey Instance { get; } = new();

        public int Compare(JournalEntry? x, JournalEntry? y) => ObjectKeyComparer.Instance.Compare(x?.Key, y?.Key);
    }
}
