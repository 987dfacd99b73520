namespace Lifeboat.Postgres;

/// <summary>
/// How far pg_restore --jobs has come with what follows the schema — tables' data, then indexes and constraints —
/// counted from its --verbose "finished item" lines against the archive's table of contents.
/// </summary>
/// <remarks>
/// pg_restore reports every item of the data and post-data sections it runs in parallel as finished; items of
/// other sections may be reported too (a comment on an index) but are not counted, so the count never passes
/// the total. Lines come from the thread that drains pg_restore's stderr, one at a time.
/// </remarks>
internal sealed class PgRestoreItemProgress
{
    /// <summary>The phase while tables' data is still loading.</summary>
    public const string LoadingTables = "loading tables";

    /// <summary>The phase once every table's data is in.</summary>
    public const string BuildingIndexes = "building indexes and constraints";

    private readonly HashSet<int> _dataItems;
    private readonly HashSet<int> _laterItems;
    private readonly IProgress<ItemsDone> _progress;
    private int _done;

    /// <summary>
    /// Counts the data and post-data items of <paramref name="entries"/> as a task of <paramref name="reporter"/>'s
    /// for pg_restore with <paramref name="jobs"/> jobs, starting in <paramref name="firstPhase"/>.
    /// </summary>
    public PgRestoreItemProgress(IEnumerable<CustomArchiveTocEntry> entries, IActivityReporter reporter, int jobs, string firstPhase = LoadingTables)
    {
        var list = entries.ToList();
        _dataItems = list.Where(e => e.Section == CustomArchiveSection.Data).Select(e => e.DumpId).ToHashSet();
        _laterItems = list.Where(e => e.Section == CustomArchiveSection.PostData).Select(e => e.DumpId).ToHashSet();
        Total = _dataItems.Count + _laterItems.Count;
        _progress = reporter.StartItems($"pg_restore --jobs {jobs}", Total);
        _progress.Report(new ItemsDone(0, _dataItems.Count > 0 ? firstPhase : BuildingIndexes));
    }

    /// <summary>The items counted: the data and post-data entries of the archive.</summary>
    public int Total { get; }

    /// <summary>Reads one line of pg_restore's stderr.</summary>
    public void Observe(string line)
    {
        if (!PgRestoreFinishedItem.TryParse(line, out var item))
            return;
        if (!_dataItems.Remove(item.DumpId) && !_laterItems.Remove(item.DumpId))
            return;
        _done++;
        _progress.Report(new ItemsDone(_done, _dataItems.Count > 0 ? LoadingTables : BuildingIndexes));
    }
}
