namespace Lifeboat.Buckets.Index;

/// <summary>
/// Sorts more items than memory should hold: runs of <c>runSize</c> are sorted in memory and spilled, then merged
/// <c>fanIn</c> at a time until one file is left. Stable: equal items keep the order they were added in.
/// </summary>
public sealed class SpillSorter<T>
{
    /// <summary>Items per in-memory run by default.</summary>
    public const int DefaultRunSize = 100_000;

    /// <summary>Runs merged at once by default.</summary>
    public const int DefaultFanIn = 64;

    private readonly SpillDirectory _spill;
    private readonly ISpillCodec<T> _codec;
    private readonly IComparer<T> _order;
    private readonly int _runSize;
    private readonly int _fanIn;
    private readonly List<T> _run;
    private readonly List<SortedSpillFile<T>> _runs = [];
    private bool _finished;

    /// <summary>Creates a sorter that spills into <paramref name="spill"/>.</summary>
    public SpillSorter(SpillDirectory spill, ISpillCodec<T> codec, IComparer<T> order, int runSize = DefaultRunSize, int fanIn = DefaultFanIn)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fanIn, 2);
        (_spill, _codec, _order, _runSize, _fanIn) = (spill, codec, order, runSize, fanIn);
        _run = new List<T>(Math.Min(runSize, 4096));
    }

    /// <summary>The most items held in memory at once (never more than the run size).</summary>
    public int PeakItemsInMemory { get; private set; }

    /// <summary>Sorted run files written, merges included.</summary>
    public int FilesWritten { get; private set; }

    /// <summary>Adds an item; a full run is sorted and spilled.</summary>
    public async ValueTask AddAsync(T item, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _run.Add(item);
        PeakItemsInMemory = Math.Max(PeakItemsInMemory, _run.Count);
        if (_run.Count >= _runSize)
            await SpillRunAsync(cancellationToken);
    }

    /// <summary>Spills the last run and merges all runs into one sorted file.</summary>
    public async Task<SortedSpillFile<T>> FinishAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        if (_run.Count > 0 || _runs.Count == 0)
            await SpillRunAsync(cancellationToken);
        var level = _runs;
        while (level.Count > 1)
        {
            var next = new List<SortedSpillFile<T>>();
            foreach (var group in level.Chunk(_fanIn))
                next.Add(await MergeAsync(group, cancellationToken));
            level = next;
        }

        return level[0];
    }

    private async Task SpillRunAsync(CancellationToken cancellationToken)
    {
        var indexed = _run.Select((item, i) => (Item: item, Index: i)).ToArray();
        Array.Sort(indexed, (a, b) => _order.Compare(a.Item, b.Item) is var c and not 0 ? c : a.Index.CompareTo(b.Index));
        _run.Clear();
        var path = _spill.NewFile("run");
        await using (var writer = new SpillLineWriter<T>(path, _codec))
        {
            foreach (var (item, _) in indexed)
                await writer.WriteAsync(item, cancellationToken);
            await writer.FlushAsync(cancellationToken);
        }

        _runs.Add(new SortedSpillFile<T>(path, indexed.Length, _codec));
        FilesWritten++;
    }

    private async Task<SortedSpillFile<T>> MergeAsync(SortedSpillFile<T>[] runs, CancellationToken cancellationToken)
    {
        if (runs.Length == 1)
            return runs[0];
        var path = _spill.NewFile("merge");
        var readers = runs.Select(r => r.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken)).ToArray();
        // Ties go to the earlier run, which holds the earlier items: that keeps the sort stable.
        var heads = new PriorityQueue<int, (T Item, int Run)>(Comparer<(T Item, int Run)>.Create(
            (a, b) => _order.Compare(a.Item, b.Item) is var c and not 0 ? c : a.Run.CompareTo(b.Run)));
        try
        {
            for (var i = 0; i < readers.Length; i++)
            {
                if (await readers[i].MoveNextAsync())
                    heads.Enqueue(i, (readers[i].Current, i));
            }

            await using var writer = new SpillLineWriter<T>(path, _codec);
            while (heads.TryDequeue(out var run, out var head))
            {
                await writer.WriteAsync(head.Item, cancellationToken);
                if (await readers[run].MoveNextAsync())
                    heads.Enqueue(run, (readers[run].Current, run));
            }

            await writer.FlushAsync(cancellationToken);
            FilesWritten++;
            return new SortedSpillFile<T>(path, writer.Count, _codec);
        }
        finally
        {
            foreach (var reader in readers)
                await reader.DisposeAsync();
            foreach (var run in runs)
                File.Delete(run.Path);
        }
    }
}
