using System.Collections.Concurrent;
using Lifeboat.Buckets.Content;
using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.TestKit.Storage;

namespace Lifeboat.Tests.Buckets;

/// <summary>A repository on a local directory for content tests, with the store's reads, uploads and deletes watched.</summary>
internal sealed class ContentTestRepository : IAsyncDisposable
{
    public const string Source = "assets";

    private readonly string _dir;

    private ContentTestRepository(string dir, WatchingStore store, BackupRepository repository)
    {
        _dir = dir;
        Store = store;
        Repository = repository;
    }

    public WatchingStore Store { get; }

    public BackupRepository Repository { get; }

    public BucketContentLayout Layout { get; } = new(Source);

    public string SpillDirectory => Path.Combine(_dir, "spill");

    public string StorePath => Path.Combine(_dir, "repo");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh repository; 1 MiB envelope chunks as in production, or small ones to get many chunks from little data.</summary>
    public static async Task<ContentTestRepository> CreateAsync(int chunkSize = 1 << 20)
    {
        var dir = Directory.CreateTempSubdirectory("lifeboat-content-").FullName;
        var keyFile = Path.Combine(dir, "repo.key");
        KeyFile.Create(keyFile);
        var store = new WatchingStore(new FileObjectStore(Path.Combine(dir, "repo")));
        var repository = await BackupRepository.InitAsync(store, KeySecret.FromKeyFile(keyFile), new EnvelopeOptions(3, chunkSize, 0), Ct);
        return new ContentTestRepository(dir, store, repository);
    }

    public Task<BucketContentStore> OpenRunAsync(BackupId run, CheckpointCadence? cadence = null) =>
        BucketContentStore.OpenAsync(Repository, Source, run, SpillDirectory, onDamaged: null, cadence, Ct);

    public static BackupId NewRun(int minutesAfter = 0) => BackupId.New(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero).AddMinutes(minutesAfter));

    public async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var info in Store.ListAsync(prefix, Ct))
            keys.Add(info.Key);
        return keys;
    }

    public string FileOf(string key) => Path.Combine(StorePath, key);

    /// <summary>Commits a manifest for <paramref name="run"/>, as the orchestration does after the content is finished.</summary>
    public Task CommitSnapshotAsync(BackupId run) =>
        Repository.CommitManifestAsync(
            new BackupManifest
            {
                Id = run.Value,
                Source = BucketContentLayout.SourceType,
                Name = Source,
                Kind = BucketContentLayout.SnapshotKind,
                StartedAt = run.Time,
                FinishedAt = run.Time.AddSeconds(1),
                Objects = [],
            },
            Ct);

    public async ValueTask DisposeAsync()
    {
        await Repository.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>Passes every call to a real store and remembers ranged reads, uploads (with the bytes they received before completing) and deletes.</summary>
internal sealed class WatchingStore(IObjectStore inner) : InterceptedStore(inner)
{
    public ConcurrentQueue<(string Key, ByteRange? Range)> Reads { get; } = new();

    public ConcurrentQueue<string> Deletes { get; } = new();

    public ConcurrentQueue<WatchedUpload> Uploads { get; } = new();

    public override Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        Reads.Enqueue((key, range));
        return base.OpenReadAsync(key, range, cancellationToken);
    }

    public override async Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken)
    {
        var upload = new WatchedUpload(await base.CreateAsync(key, cancellationToken));
        Uploads.Enqueue(upload);
        return upload;
    }

    public override Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        Deletes.Enqueue(key);
        return base.DeleteAsync(key, cancellationToken);
    }
}

/// <summary>An upload that counts what it was given, and whether it completed.</summary>
internal sealed class WatchedUpload(ObjectUpload inner) : ObjectUpload
{
    public override string Key => inner.Key;

    public long BytesWritten { get; private set; }

    public long BytesBeforeComplete { get; private set; } = -1;

    public bool Completed { get; private set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        BytesWritten += buffer.Length;
        inner.Write(buffer);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BytesWritten += buffer.Length;
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override async Task CompleteAsync(CancellationToken cancellationToken)
    {
        BytesBeforeComplete = BytesWritten;
        await inner.CompleteAsync(cancellationToken);
        Completed = true;
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
