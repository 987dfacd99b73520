using System.Diagnostics;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// The content side of one bucket backup run: stores each content once by its SHA-256 (small ones packed, large ones
/// streamed as packs of one), journals the run's records, and saves progress in the order a later run can trust:
/// packs, then the catalog segment naming them, then the journal relying on both. Safe to use from many workers.
/// </summary>
public sealed class BucketContentStore : IContentRegistry, IAsyncDisposable
{
    private readonly BackupRepository _repository;
    private readonly BucketContentLayout _layout;
    private readonly BackupId _runId;
    private readonly string _spillDirectory;
    private readonly CheckpointCadence _cadence;
    private readonly Action<string, LifeboatException>? _onDamaged;
    private readonly BlobSealer _sealer;
    private readonly PackAssembler _assembler;
    private readonly CatalogSegmentWriter _catalogWriter;
    private readonly RunJournal _journal;
    private readonly Lazy<Task<ContentCatalog>> _catalog;

    // Guards the pack being filled and the lines of the next catalog segment, so a checkpoint sees both at one moment.
    private readonly SemaphoreSlim _packGate = new(1, 1);
    private readonly SemaphoreSlim _checkpointGate = new(1, 1);
    private List<CatalogLine> _unwrittenLines = [];
    private Stopwatch _sinceCheckpoint = CheckpointCadence.StartClock();
    private long _bytesSinceCheckpoint;
    private long _newBytes;
    private long _newContents;
    private InterruptedRunOverlay? _overlay;

    private BucketContentStore(BackupRepository repository, BucketContentLayout layout, BackupId runId, string spillDirectory, CheckpointCadence cadence, Action<string, LifeboatException>? onDamaged)
    {
        _repository = repository;
        _layout = layout;
        _runId = runId;
        _spillDirectory = spillDirectory;
        _cadence = cadence;
        _onDamaged = onDamaged;
        _sealer = new BlobSealer(repository);
        _assembler = new PackAssembler(repository, layout);
        _catalogWriter = new CatalogSegmentWriter(repository, layout, runId);
        _journal = new RunJournal(repository, layout, runId);
        // A run where nothing changed never stores content, so it never pays for loading the catalog.
        _catalog = new(() => CatalogLoader.LoadAsync(repository, layout, onDamaged, CancellationToken.None));
    }

    /// <summary>The key layout of the source.</summary>
    public BucketContentLayout Layout => _layout;

    /// <summary>Bytes of sealed content this run added to the repository (pack tables not counted).</summary>
    public long NewBytesStored => Interlocked.Read(ref _newBytes);

    /// <summary>Contents this run stored that the repository did not hold.</summary>
    public long NewContents => Interlocked.Read(ref _newContents);

    /// <summary>
    /// Opens the content store of run <paramref name="runId"/> of bucket source <paramref name="name"/>. Local files
    /// go under <paramref name="spillDirectory"/>; a damaged catalog segment or journal goes to
    /// <paramref name="onDamaged"/> and is left out (it costs only reads and uploads), or fails the run without one.
    /// </summary>
    public static Task<BucketContentStore> OpenAsync(
        BackupRepository repository, string name, BackupId runId, string spillDirectory,
        Action<string, LifeboatException>? onDamaged = null, CheckpointCadence? cadence = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(spillDirectory);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new BucketContentStore(repository, new BucketContentLayout(name), runId, spillDirectory, cadence ?? CheckpointCadence.Default, onDamaged));
    }

    /// <summary>
    /// Finds what runs killed before their manifest stored and journaled, sorted by key for the listing merge. Their
    /// journals are deleted by <see cref="DeleteJournalsAsync"/> once this run's manifest is committed.
    /// </summary>
    public async Task<InterruptedRunOverlay> FindInterruptedRunsAsync(CancellationToken cancellationToken)
    {
        _overlay?.Dispose();
        _overlay = await InterruptedRunOverlay.FindAsync(_repository, _layout, _runId, _spillDirectory, _onDamaged, cancellationToken);
        return _overlay;
    }

    /// <summary>
    /// Stores one small content (below <see cref="PackFormat.LargeFrom"/>) unless the repository holds it already; empty
    /// content is never stored. <paramref name="sourceEtag"/> is kept as a hint only.
    /// </summary>
    public async Task<ContentRef> StoreSmallAsync(ReadOnlyMemory<byte> content, string? sourceEtag, CancellationToken cancellationToken)
    {
        if (content.Length >= PackFormat.LargeFrom)
            throw new ArgumentException($"content of {content.Length} bytes is stored with a large upload", nameof(content));
        var sha = ContentDigest.Of(content.Span);
        if (content.IsEmpty)
            return Held(sha, 0);
        var catalog = await CatalogAsync(cancellationToken);
        if (catalog.Contains(sha))
            return Held(sha, content.Length);
        // Sealed outside the lock, so workers encrypt and compress in parallel.
        var blob = _sealer.Seal(content);
        await _packGate.WaitAsync(cancellationToken);
        try
        {
            if (catalog.Contains(sha))
                return Held(sha, content.Length);
            var location = await _assembler.AppendAsync(blob, cancellationToken);
            Register(catalog, location, sourceEtag);
            return new ContentRef(sha.ToString(), content.Length, location.Stored);
        }
        finally
        {
            _packGate.Release();
        }
    }

    /// <summary>
    /// A content first stored from a source object of this size and ETag, as 64 hex digits, or null. Only a hint: the
    /// caller hashes what it reads, and stores it with a large upload when the hash differs.
    /// </summary>
    public async Task<string?> FindByHintAsync(long size, string etag, CancellationToken cancellationToken) =>
        (await CatalogAsync(cancellationToken)).FindByHint(size, etag)?.ToString();

    /// <summary>Starts streaming one large content; write its bytes to the upload, then complete it.</summary>
    public async Task<LargeContentUpload> BeginLargeAsync(string? sourceEtag, CancellationToken cancellationToken)
    {
        await CatalogAsync(cancellationToken);
        return new LargeContentUpload(_repository, _layout, this, sourceEtag);
    }

    /// <summary>
    /// Journals the index record of an object this run read, after its content was stored; when a checkpoint is due
    /// (and none is running) it runs now, on this caller.
    /// </summary>
    public async ValueTask JournalAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        _journal.Add(entry);
        if (!_cadence.IsDue(Interlocked.Read(ref _bytesSinceCheckpoint), _journal.Pending, _sinceCheckpoint.Elapsed))
            return;
        if (!await _checkpointGate.WaitAsync(0, cancellationToken))
            return;
        try
        {
            await CheckpointLockedAsync(cancellationToken);
        }
        finally
        {
            _checkpointGate.Release();
        }
    }

    /// <summary>Saves progress now: the filling pack, then a catalog segment of everything stored, then the journal.</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        await _checkpointGate.WaitAsync(cancellationToken);
        try
        {
            await CheckpointLockedAsync(cancellationToken);
        }
        finally
        {
            _checkpointGate.Release();
        }
    }

    /// <summary>The last checkpoint: everything the snapshot's index will name is durable when this returns. Commit the manifest after it.</summary>
    public Task FinishAsync(CancellationToken cancellationToken) => CheckpointAsync(cancellationToken);

    /// <summary>
    /// Deletes this run's journal and those of the interrupted runs it absorbed: only after the manifest is committed,
    /// when the snapshot holds all they recorded.
    /// </summary>
    public async Task DeleteJournalsAsync(CancellationToken cancellationToken)
    {
        await _journal.DeleteAsync(cancellationToken);
        if (_overlay is not null)
            await _overlay.DeleteJournalsAsync(cancellationToken);
    }

    /// <summary>Opens a stored content for reading, verified at its end. This run's own contents read once a checkpoint made them durable.</summary>
    public async Task<Stream> OpenContentAsync(string sha256, long size, CancellationToken cancellationToken)
    {
        var reader = new ContentReader(_repository, _layout, await CatalogAsync(cancellationToken));
        return await reader.OpenAsync(ContentDigest.Parse(sha256, "a content address"), size, cancellationToken);
    }

    bool IContentRegistry.Contains(ContentDigest sha) =>
        _catalog.Value is { IsCompletedSuccessfully: true } loaded && loaded.Result.Contains(sha);

    async Task<bool> IContentRegistry.TryRegisterAsync(ContentLocation location, string? sourceEtag, CancellationToken cancellationToken)
    {
        var catalog = await CatalogAsync(cancellationToken);
        await _packGate.WaitAsync(cancellationToken);
        try
        {
            if (catalog.Contains(location.Sha256))
                return false;
            Register(catalog, location, sourceEtag);
            return true;
        }
        finally
        {
            _packGate.Release();
        }
    }

    /// <summary>Discards the pack still filling and the local files; what is not checkpointed is left for prune.</summary>
    public async ValueTask DisposeAsync()
    {
        await _assembler.DisposeAsync();
        _overlay?.Dispose();
        _packGate.Dispose();
        _checkpointGate.Dispose();
    }

    // Called under the pack gate: the catalog learns the content and the next segment's line at the same moment.
    private void Register(ContentCatalog catalog, ContentLocation location, string? sourceEtag)
    {
        catalog.TryAdd(location, sourceEtag);
        _unwrittenLines.Add(new CatalogLine(location.Sha256.ToString(), location.Size, location.Pack, location.Offset, location.Stored, sourceEtag?.Trim('"')));
        Interlocked.Add(ref _bytesSinceCheckpoint, location.Stored);
        Interlocked.Add(ref _newBytes, location.Stored);
        Interlocked.Increment(ref _newContents);
    }

    private async Task CheckpointLockedAsync(CancellationToken cancellationToken)
    {
        // Records journaled so far name only contents registered before them; the lines taken below include those.
        var journaled = _journal.TakePending();
        List<CatalogLine> lines;
        await _packGate.WaitAsync(cancellationToken);
        try
        {
            await _assembler.FlushAsync(cancellationToken);
            lines = _unwrittenLines;
            _unwrittenLines = [];
        }
        finally
        {
            _packGate.Release();
        }

        await _catalogWriter.WriteAsync(lines, cancellationToken);
        await _journal.WriteAsync(journaled, cancellationToken);
        Interlocked.Exchange(ref _bytesSinceCheckpoint, 0);
        _sinceCheckpoint = CheckpointCadence.StartClock();
    }

    private Task<ContentCatalog> CatalogAsync(CancellationToken cancellationToken) => _catalog.Value.WaitAsync(cancellationToken);

    private static ContentRef Held(ContentDigest sha, long size) => new(sha.ToString(), size, 0);
}
