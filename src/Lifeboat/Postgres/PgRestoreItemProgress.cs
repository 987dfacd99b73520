using System.Globalization;

namespace Lifeboat.Postgres;

/// <summary>
/// How far pg_restore --jobs has come with what follows the schema — tables' data, indexes and constraints —
/// counted from its --verbose "finished item" lines against the archive's table of contents, with the phase
/// read from what its workers are running ("launching item" lines).
/// </summary>
/// <remarks>
/// pg_restore reports every item of the data and post-data sections it runs in parallel as finished; items of
/// other sections may be reported too (a comment on an index) but are not counted, so the count never passes
/// the total. It starts the largest tables first and builds their indexes while smaller ones still load, so the
/// phase is what its workers are doing now, not which section is complete. Lines come from the thread that
/// drains pg_restore's stderr; the end (<see cref="Complete"/>) from the restore's own.
/// </remarks>
internal sealed class PgRestoreItemProgress
{
    /// <summary>The phase while only tables' data is loading.</summary>
    public const string LoadingTables = "loading tables";

    /// <summary>The phase while tables load and indexes or constraints are built side by side.</summary>
    public const string LoadingAndBuilding = "loading tables, building indexes";

    /// <summary>The phase while only indexes and constraints are being built.</summary>
    public const string BuildingIndexes = "building indexes and constraints";

    /// <summary>The phase once pg_restore has exited successfully: every item is done.</summary>
    public const string Finished = "finished";

    private const string Launching = "launching item ";

    private readonly HashSet<int> _dataItems;
    private readonly HashSet<int> _laterItems;
    private readonly HashSet<int> _pending;
    private readonly HashSet<int> _running = [];
    private readonly IProgress<ItemsDone> _progress;
    private ItemsDone _last;

    /// <summary>
    /// Counts the data and post-data items of <paramref name="entries"/> as a task of <paramref name="reporter"/>'s
    /// for pg_restore with <paramref name="jobs"/> jobs, starting in <paramref name="firstPhase"/>.
    /// </summary>
    public PgRestoreItemProgress(IEnumerable<CustomArchiveTocEntry> entries, IActivityReporter reporter, int jobs, string firstPhase = LoadingTables)
    {
        var list = entries.ToList();
        _dataItems = list.Where(e => e.Section == CustomArchiveSection.Data).Select(e => e.DumpId).ToHashSet();
        _laterItems = list.Where(e => e.Section == CustomArchiveSection.PostData).Select(e => e.DumpId).ToHashSet();
        _pending = [.. _dataItems, .. _laterItems];
        Total = _pending.Count;
        _progress = reporter.StartItems($"pg_restore --jobs {jobs}", Total);
        _last = new ItemsDone(0, _dataItems.Count > 0 ? firstPhase : BuildingIndexes);
        _progress.Report(_last);
    }

    /// <summary>The items counted: the data and post-data entries of the archive.</summary>
    public int Total { get; }

    /// <summary>Reads one line of pg_restore's stderr.</summary>
    public void Observe(string line)
    {
        lock (_pending)
            ObserveLocked(line);
    }

    /// <summary>
    /// pg_restore exited successfully: every item counts as done, also those it had nothing to do for and so never
    /// reported finished (an index it skipped), and the count ends at the total.
    /// </summary>
    public void Complete()
    {
        lock (_pending)
        {
            _pending.Clear();
            _running.Clear();
            Report(new ItemsDone(Total, Finished));
        }
    }

    private void ObserveLocked(string line)
    {
        if (TryParseLaunched(line, out var launched))
        {
            if (_pending.Contains(launched))
                _running.Add(launched);
        }
        else if (PgRestoreFinishedItem.TryParse(line, out var finished))
        {
            _running.Remove(finished.DumpId);
            _pending.Remove(finished.DumpId);
        }
        else
        {
            return;
        }

        Report(new ItemsDone(Total - _pending.Count, Phase()));
    }

    private void Report(ItemsDone now)
    {
        if (now == _last)
            return;
        _last = now;
        _progress.Report(now);
    }

    // Between one item and the next no worker may be running a counted item; the phase then stays as it was.
    private string Phase()
    {
        var loading = _running.Any(_dataItems.Contains);
        var building = _running.Any(_laterItems.Contains);
        return (loading, building) switch
        {
            (true, true) => LoadingAndBuilding,
            (true, false) => LoadingTables,
            (false, true) => BuildingIndexes,
            _ => _last.Phase,
        };
    }

    // "pg_restore: launching item N DESC TAG".
    private static bool TryParseLaunched(string line, out int dumpId)
    {
        dumpId = 0;
        var at = line.IndexOf(Launching, StringComparison.Ordinal);
        if (at < 0)
            return false;
        var rest = line.AsSpan(at + Launching.Length);
        var end = rest.IndexOf(' ');
        return end > 0 && int.TryParse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out dumpId);
    }
}
