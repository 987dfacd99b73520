using Lifeboat.Buckets.Index;

namespace Lifeboat.Buckets.Restore;

/// <summary>
/// A restore's plan spilled to local files, in key order: the objects to write, those to look at, and the target's
/// extras. The plan streams in once; each phase then reads its file back, so millions of keys never sit in memory.
/// </summary>
internal sealed class RestoreWorklist : IAsyncDisposable
{
    private readonly SpillLineWriter<BucketObjectRecord> _writes;
    private readonly SpillLineWriter<BucketObjectRecord> _looks;
    private readonly SpillLineWriter<string> _extras;
    private readonly string[] _paths;
    private bool _finished;

    private RestoreWorklist(SpillDirectory spill)
    {
        _paths = [spill.NewFile("writes"), spill.NewFile("looks"), spill.NewFile("extras")];
        _writes = new SpillLineWriter<BucketObjectRecord>(_paths[0], IndexRecordCodec.Instance);
        _looks = new SpillLineWriter<BucketObjectRecord>(_paths[1], IndexRecordCodec.Instance);
        _extras = new SpillLineWriter<string>(_paths[2], KeyLineCodec.Instance);
    }

    /// <summary>Objects to write.</summary>
    public long WriteCount => _writes.Count;

    /// <summary>Their bytes.</summary>
    public long WriteBytes { get; private set; }

    /// <summary>Objects whose metadata a HEAD decides on.</summary>
    public long LookCount => _looks.Count;

    /// <summary>Target objects the snapshot lacks.</summary>
    public long ExtraCount => _extras.Count;

    /// <summary>The objects to write, once finished.</summary>
    public SortedSpillFile<BucketObjectRecord> Writes => new(_paths[0], _writes.Count, IndexRecordCodec.Instance);

    /// <summary>The objects to look at, once finished.</summary>
    public SortedSpillFile<BucketObjectRecord> Looks => new(_paths[1], _looks.Count, IndexRecordCodec.Instance);

    /// <summary>The extras' keys, once finished.</summary>
    public SortedSpillFile<string> Extras => new(_paths[2], _extras.Count, KeyLineCodec.Instance);

    /// <summary>An empty worklist in <paramref name="spill"/>.</summary>
    public static RestoreWorklist Create(SpillDirectory spill) => new(spill);

    /// <summary>Files one step of the plan; a skip needs nothing filed.</summary>
    public async ValueTask AddAsync(PlanStep step, CancellationToken cancellationToken)
    {
        switch (step.Action)
        {
            case PlanAction.Write:
                WriteBytes += step.Wanted!.Size;
                await _writes.WriteAsync(step.Wanted, cancellationToken);
                break;
            case PlanAction.Look:
                await _looks.WriteAsync(step.Wanted!, cancellationToken);
                break;
            case PlanAction.Extra:
                await _extras.WriteAsync(step.Key, cancellationToken);
                break;
            case PlanAction.Skip:
                break;
        }
    }

    /// <summary>Writes what is buffered to the files, so the phases can read them.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        await _writes.FlushAsync(cancellationToken);
        await _looks.FlushAsync(cancellationToken);
        await _extras.FlushAsync(cancellationToken);
        await CloseAsync();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => CloseAsync();

    private async ValueTask CloseAsync()
    {
        if (_finished)
            return;
        _finished = true;
        await _writes.DisposeAsync();
        await _looks.DisposeAsync();
        await _extras.DisposeAsync();
    }
}
